import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-001',
  slug: 'port-closed',
  layer: 'transport',
  severity: 'error',
  title: { en: 'Nothing listens on {address}:{port}', zh: '{address}:{port} 端口未监听/服务未启动' },
  explanation: {
    en: 'The host {address} answered the connection attempt with a TCP reset (RST): the host is reachable, but no process accepts connections on port {port}. The service is stopped or crashed, or it listens on another address or port.',
    zh: '主机 {address} 对连接请求回复了 TCP RST：主机可达，但端口 {port} 上没有进程在监听。服务未启动或已崩溃，或者监听在其他地址或端口上。',
  },
  evidence: {
    en: 'The TCP connect answered with RST (connection refused) and its time; when the target is this machine, the sockets that listen on the port and their bind addresses.',
    zh: 'TCP 连接被 RST 拒绝（connection refused）及其耗时；目标为本机时，监听该端口的套接字及其绑定地址。',
  },
  fix: [
    { summary: { en: 'Start the service that should listen on {address}:{port}, and check that it binds {address} (or 0.0.0.0 / ::), not only 127.0.0.1', zh: '启动应监听 {address}:{port} 的服务，并确认它绑定在 {address}（或 0.0.0.0 / ::）上，而不只是 127.0.0.1' } },
    { summary: { en: 'On the server, list what listens on port {port}', zh: '在服务器上查看监听端口 {port} 的进程' }, command: "ss -ltnp 'sport = :{port}'" },
  ],
  implemented: true,
  issue: 4,
  explains: ['TLS-009', 'TLS-010', 'APP-001', 'APP-002', 'NET-005'],
};

export const rule: Rule = { meta, check: () => null };
