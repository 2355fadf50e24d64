import type { IcmpError } from '../model/observation.js';
import { familyOf, sameIp } from './helpers.js';
import { hostPort } from './tcp-common.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-003',
  slug: 'port-rejected',
  layer: 'transport',
  severity: 'error',
  title: { en: '{address}:{port} is rejected by a firewall at {from} ({icmp})', zh: '{address}:{port} 端口被防火墙拒绝（{from} 返回 {icmp}）' },
  explanation: {
    en: 'The SYN to {address}:{port} was answered by {from} with an ICMP error ({icmp}, type {type} code {code}) instead of a TCP reply: a firewall REJECT rule for this port, on the server itself or on a router in the path.',
    zh: '发往 {address}:{port} 的 SYN 没有得到 TCP 应答，而是由 {from} 返回了 ICMP 错误（{icmp}，类型 {type} 代码 {code}）：服务器或路径上某台路由器的防火墙对该端口配置了 REJECT 规则。',
  },
  evidence: { en: 'The ICMP error (type, code) that answered the SYN and the address that sent it.', zh: '回应 SYN 的 ICMP 错误（类型、代码）及其发送方地址。' },
  fix: [
    {
      summary: { en: 'On {from}, allow TCP port {port} before the REJECT rule', zh: '在 {from} 上，在 REJECT 规则之前放行 TCP 端口 {port}' },
      command: '{iptables} -I {chain} -p tcp -d {address} --dport {port} -j ACCEPT',
    },
  ],
  explains: ['TLS-009', 'TLS-010', 'APP-001', 'APP-002', 'NET-005'],
};

const M = defineMessages('TCP-003', {
  rejectedTitle: msg(
    (p: { dst: string }) => `${p.dst} is rejected by a firewall`,
    (p) => `${p.dst} 端口被防火墙拒绝`,
  ),
  rejectedWhy: msg(
    (p: { dst: string; errno: string | null }) =>
      `The connection to ${p.dst} was rejected with an ICMP error${p.errno ? ` (${p.errno})` : ''} instead of a TCP reply; the probe could not see which host sent it. A firewall REJECT rule for this port, on the server or on the path.`,
    (p) => `到 ${p.dst} 的连接被 ICMP 错误拒绝${p.errno ? `（${p.errno}）` : ''}，而不是 TCP 应答；探测无法看到发送方。服务器或路径上的防火墙对该端口配置了 REJECT 规则。`,
  ),
  rejected: msg(
    (p: { dst: string; errno: string | null; ms: number }) => `TCP ${p.dst}: rejected${p.errno ? ` (${p.errno})` : ''} after ${p.ms} ms`,
    (p) => `TCP ${p.dst}：${p.ms} 毫秒后被拒绝${p.errno ? `（${p.errno}）` : ''}`,
  ),
  allowPort: msg(
    (p: { port: number; iptables: string }) => `Allow TCP port ${p.port} on the server's firewall (${p.iptables} -I INPUT -p tcp --dport ${p.port} -j ACCEPT) or on the router that rejects it`,
    (p) => `在服务器防火墙（${p.iptables} -I INPUT -p tcp --dport ${p.port} -j ACCEPT）或拒绝该流量的路由器上放行 TCP 端口 ${p.port}`,
  ),
  icmpAnswer: msg(
    (p: { dst: string; icmp: string; type: number; code: number; from: string; fromTarget: boolean }) =>
      `TCP ${p.dst}: SYN answered by ICMP ${p.icmp} (type ${p.type} code ${p.code}) from ${p.from}${p.fromTarget ? ' (the target itself)' : ' (a router on the path)'}`,
    (p) => `TCP ${p.dst}：SYN 收到来自 ${p.from}${p.fromTarget ? '（目标本身）' : '（路径上的路由器）'}的 ICMP ${p.icmp}（类型 ${p.type}，代码 ${p.code}）`,
  ),
});

/** ICMP errors that say "no route onward" (NET-010's), not "this port is refused". */
export function isRoutingUnreachable(e: IcmpError): boolean {
  const v6 = familyOf(e.from) === 6;
  if (v6) return e.type === 1 && (e.code === 0 || e.code === 3);
  return e.type === 3 && [0, 1, 6, 7, 11, 12].includes(e.code);
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = ofKind(ctx.observations, 'tcp.connect').find((o) => o.data.outcome === 'rejected' && !(o.data.icmp && isRoutingUnreachable(o.data.icmp)));
    if (!hit) return null;
    const d = hit.data;
    const ipt = d.family === 6 ? 'ip6tables' : 'iptables';
    const e = d.icmp;
    if (!e) {
      return makeFinding(meta, ctx, {
        vars: { address: d.address, port: d.port },
        title: M.rejectedTitle({ dst: hostPort(d.address, d.port) }),
        explanation: M.rejectedWhy({ dst: hostPort(d.address, d.port), errno: d.errno ?? null }),
        evidence: [
          evidence('tcp.connect', M.rejected({ dst: hostPort(d.address, d.port), errno: d.errno ?? null, ms: Math.round(d.ms) }), {
            address: d.address,
            port: d.port,
            outcome: d.outcome,
            ...(d.errno ? { errno: d.errno } : {}),
          }),
        ],
        fix: [{ summary: M.allowPort({ port: d.port, iptables: ipt }) }],
      });
    }
    const fromTarget = sameIp(e.from, d.address);
    return makeFinding(meta, ctx, {
      vars: { address: d.address, port: d.port, from: e.from, icmp: e.name, type: e.type, code: e.code, iptables: ipt, chain: fromTarget ? 'INPUT' : 'FORWARD' },
      evidence: [
        evidence('tcp.connect', M.icmpAnswer({ dst: hostPort(d.address, d.port), icmp: e.name, type: e.type, code: e.code, from: e.from, fromTarget }), {
          address: d.address,
          port: d.port,
          outcome: d.outcome,
          icmp: { ...e },
        }),
      ],
    });
  },
};
