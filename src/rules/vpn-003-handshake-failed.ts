import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'VPN-003',
  slug: 'handshake-failed',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'No tunnel handshake with {endpoint} completes (last: {lastHandshake})', zh: '隧道握手失败：与 {endpoint} 的握手始终无法完成（最近一次：{lastHandshake}）' },
  explanation: {
    en: 'The endpoint host {endpoint} is reachable, packets go out through {dev} (tx {tx} bytes) but nothing comes back (rx {rx} bytes): UDP to the endpoint port is filtered on the path, or the server rejects the keys/credentials.',
    zh: '端点主机 {endpoint} 可达，报文经 {dev} 发出（发送 {tx} 字节）却没有任何回应（接收 {rx} 字节）：路径上过滤了发往端点端口的 UDP，或者服务器拒绝了密钥/凭据。',
  },
  evidence: { en: 'Latest handshake age, tx/rx counters per peer, and the underlay result for the endpoint.', zh: '最近一次握手距今时间、每个对端的收发计数，以及端点的底层网络结果。' },
  fix: [
    { summary: { en: 'First check that UDP to {endpoint} is not filtered on the path (ask the network operator or test from another network)', zh: '首先确认路径上没有过滤发往 {endpoint} 的 UDP（联系网络管理方，或从其他网络测试）' } },
    { summary: { en: 'Then check the keys: this peer’s public key must be configured on the server, and the server’s key here', zh: '然后检查密钥：服务器上必须配置本端公钥，本端必须配置服务器的公钥' }, command: 'wg show {dev}' },
  ],
  implemented: false,
  issue: 7,
  explains: ['DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
