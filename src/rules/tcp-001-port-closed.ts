import type { Finding } from '../model/report.js';
import { formatHostPort } from '../model/target.js';
import type { ListeningSocket } from '../model/snapshot.js';
import { canonicalIp, sameIp } from './helpers.js';
import { hostPort, isThisMachine } from './tcp-common.js';
import type { Rule, RuleContext, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-001',
  slug: 'port-closed',
  layer: 'transport',
  severity: 'error',
  title: { en: 'Nothing listens on {address}:{port}', zh: '{address}:{port} 端口未监听/服务未启动' },
  explanation: {
    en: 'The host {address} answered the connection attempt with a TCP reset (RST): the host is reachable, but no process accepts connections on port {port}. The service is stopped or crashed, or it listens on another address or port (rarely, a firewall answers for it with `REJECT --reject-with tcp-reset`).',
    zh: '主机 {address} 对连接请求回复了 TCP RST：主机可达，但端口 {port} 上没有进程在监听。服务未启动或已崩溃，或者监听在其他地址或端口上（少数情况下是防火墙以 `REJECT --reject-with tcp-reset` 代为回复）。',
  },
  evidence: {
    en: 'The TCP connect answered with RST (connection refused) and its time; when the target is this machine, the sockets that listen on the port and their bind addresses.',
    zh: 'TCP 连接被 RST 拒绝（connection refused）及其耗时；目标为本机时，监听该端口的套接字及其绑定地址。',
  },
  fix: [
    {
      summary: {
        en: 'Start the service that should listen on {address}:{port}, and check that it binds {address} (or 0.0.0.0 / ::), not only 127.0.0.1',
        zh: '启动应监听 {address}:{port} 的服务，并确认它绑定在 {address}（或 0.0.0.0 / ::）上，而不只是 127.0.0.1',
      },
    },
    { summary: { en: 'On the server, list what listens on port {port}', zh: '在服务器上查看监听端口 {port} 的进程' }, command: "ss -ltnp 'sport = :{port}'" },
  ],
  explains: ['TLS-009', 'TLS-010', 'APP-001', 'APP-002', 'NET-005'],
};

const M = defineMessages('TCP-001', {
  refused: msg(
    (p: { dst: string; ms: number; errno: string | null }) => `TCP ${p.dst}: connection refused (RST) after ${p.ms} ms${p.errno ? ` (${p.errno})` : ''}`,
    (p) => `TCP ${p.dst}：${p.ms} 毫秒后连接被拒绝（RST）${p.errno ? `（${p.errno}）` : ''}`,
  ),
  noListener: msg(
    (p: { port: number }) => `this machine: no TCP socket listens on port ${p.port}`,
    (p) => `本机：没有 TCP 套接字监听端口 ${p.port}`,
  ),
  noListenerWhy: msg(
    (p: { port: number; address: string }) =>
      `Nothing on this machine listens on TCP port ${p.port}, so the kernel answers ${formatHostPort(p.address, p.port)} with a reset. The service is not running, or it listens on another port.`,
    (p) => `本机没有任何进程监听 TCP 端口 ${p.port}，因此内核对 ${formatHostPort(p.address, p.port)} 的连接直接回复 RST。服务未运行，或监听在其他端口上。`,
  ),
  startService: msg(
    (p: { port: number }) => `Start the service that should listen on port ${p.port} and check its log for why it is not listening`,
    (p) => `启动应监听端口 ${p.port} 的服务，并查看其日志以确认为何未监听`,
  ),
  boundTo: msg(
    (p: { port: number; sockets: string[] }) => `this machine: port ${p.port} is bound to ${p.sockets.join(', ')}`,
    (p) => `本机：端口 ${p.port} 绑定在 ${p.sockets.join('、')}`,
  ),
  boundElsewhere: msg(
    (p: { port: number; bound: string[]; process: string | null; address: string }) =>
      `A socket listens on port ${p.port}, but only on ${p.bound.join(', ')}${p.process ? ` (${p.process})` : ''}, not on ${p.address}, so connections to ${formatHostPort(p.address, p.port)} are refused with a reset.`,
    (p) =>
      `端口 ${p.port} 上有进程在监听，但只绑定在 ${p.bound.join('、')}${p.process ? `（${p.process}）` : ''}，而不是 ${p.address}，因此到 ${formatHostPort(p.address, p.port)} 的连接被 RST 拒绝。`,
  ),
  rebind: msg(
    (p: { bound: string[]; process: string | null; address: string }) =>
      `Make ${p.process ?? 'the service'} listen on ${p.address} (or on all addresses, 0.0.0.0 / ::) instead of ${p.bound.join(', ')} only, or connect to ${p.bound.join(', ')}`,
    (p) => `让 ${p.process ?? '该服务'} 监听 ${p.address}（或所有地址 0.0.0.0 / ::），而不只是 ${p.bound.join('、')}；或者改为连接 ${p.bound.join('、')}`,
  ),
});

const WILDCARD = new Set(['0.0.0.0', '::', '*']);
/** The address part of a socket's local address as ss prints it ('[::1]', '127.0.0.53%lo', '*'). */
const bindAddress = (local: string): string => canonicalIp(local.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = ofKind(ctx.observations, 'tcp.connect').find((o) => o.data.outcome === 'refused');
    if (!hit) return null;
    const d = hit.data;
    const vars = { address: d.address, port: d.port };
    const ev = [
      evidence('tcp.connect', M.refused({ dst: hostPort(d.address, d.port), ms: Math.round(d.ms), errno: d.errno ?? null }), {
        address: d.address,
        port: d.port,
        outcome: d.outcome,
        ms: d.ms,
        ...(d.errno ? { errno: d.errno } : {}),
      }),
    ];
    const local = localListeners(ctx, d.address, d.port);
    if (!local) return makeFinding(meta, ctx, { vars, evidence: ev });
    return localFinding(ctx, vars, ev, local);
  },
};

/** When the target is this machine and its sockets were collected: the TCP sockets on the port. */
function localListeners(ctx: RuleContext, address: string, port: number): ListeningSocket[] | null {
  const snap = ctx.snapshot;
  if (!snap || !snap.listening.ok || !isThisMachine(snap, address)) return null;
  return snap.listening.value.filter((s) => s.proto === 'tcp' && s.port === port);
}

function localFinding(ctx: RuleContext, vars: { address: string; port: number }, ev: Finding['evidence'], sockets: ListeningSocket[]): Finding {
  const { address, port } = vars;
  const other = sockets.filter((s) => {
    const a = bindAddress(s.local);
    return !WILDCARD.has(a) && !sameIp(a, address);
  });
  if (sockets.length === 0) {
    ev.push(evidence('tcp.connect', M.noListener({ port }), { port, listening: [] }));
    return makeFinding(meta, ctx, {
      vars,
      evidence: ev,
      explanation: M.noListenerWhy({ port, address }),
      fix: [{ summary: M.startService({ port }) }],
    });
  }
  const shown = (other.length > 0 ? other : sockets).map((s) => `${s.local}:${s.port}${s.process ? ` (${s.process})` : ''}`);
  ev.push(
    evidence('tcp.connect', M.boundTo({ port, sockets: shown }), {
      port,
      listening: sockets.map((s) => ({ ...s })),
    }),
  );
  if (other.length === 0) return makeFinding(meta, ctx, { vars, evidence: ev });
  const bound = other.map((s) => s.local);
  const proc = other.find((s) => s.process)?.process ?? null;
  return makeFinding(meta, ctx, {
    vars,
    evidence: ev,
    explanation: M.boundElsewhere({ port, bound, process: proc, address }),
    fix: [{ summary: M.rebind({ bound, process: proc, address }) }],
  });
}
