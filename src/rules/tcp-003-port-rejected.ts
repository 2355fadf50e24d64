import type { IcmpError } from '../model/observation.js';
import { familyOf, sameIp, tr } from './helpers.js';
import { hostPort } from './tcp-common.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';

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
        title: tr(ctx.lang, `${hostPort(d.address, d.port)} is rejected by a firewall`, `${hostPort(d.address, d.port)} 端口被防火墙拒绝`),
        explanation: tr(
          ctx.lang,
          `The connection to ${hostPort(d.address, d.port)} was rejected with an ICMP error${d.errno ? ` (${d.errno})` : ''} instead of a TCP reply; the probe could not see which host sent it. A firewall REJECT rule for this port, on the server or on the path.`,
          `到 ${hostPort(d.address, d.port)} 的连接被 ICMP 错误拒绝${d.errno ? `（${d.errno}）` : ''}，而不是 TCP 应答；探测无法看到发送方。服务器或路径上的防火墙对该端口配置了 REJECT 规则。`,
        ),
        evidence: [
          evidence(
            'tcp.connect',
            tr(
              ctx.lang,
              `TCP ${hostPort(d.address, d.port)}: rejected${d.errno ? ` (${d.errno})` : ''} after ${Math.round(d.ms)} ms`,
              `TCP ${hostPort(d.address, d.port)}：${Math.round(d.ms)} 毫秒后被拒绝${d.errno ? `（${d.errno}）` : ''}`,
            ),
            {
              address: d.address,
              port: d.port,
              outcome: d.outcome,
              ...(d.errno ? { errno: d.errno } : {}),
            },
          ),
        ],
        fix: [
          {
            summary: tr(
              ctx.lang,
              `Allow TCP port ${d.port} on the server's firewall (${ipt} -I INPUT -p tcp --dport ${d.port} -j ACCEPT) or on the router that rejects it`,
              `在服务器防火墙（${ipt} -I INPUT -p tcp --dport ${d.port} -j ACCEPT）或拒绝该流量的路由器上放行 TCP 端口 ${d.port}`,
            ),
          },
        ],
      });
    }
    const fromTarget = sameIp(e.from, d.address);
    return makeFinding(meta, ctx, {
      vars: { address: d.address, port: d.port, from: e.from, icmp: e.name, type: e.type, code: e.code, iptables: ipt, chain: fromTarget ? 'INPUT' : 'FORWARD' },
      evidence: [
        evidence(
          'tcp.connect',
          tr(
            ctx.lang,
            `TCP ${hostPort(d.address, d.port)}: SYN answered by ICMP ${e.name} (type ${e.type} code ${e.code}) from ${e.from}${fromTarget ? ' (the target itself)' : ' (a router on the path)'}`,
            `TCP ${hostPort(d.address, d.port)}：SYN 收到来自 ${e.from}${fromTarget ? '（目标本身）' : '（路径上的路由器）'}的 ICMP ${e.name}（类型 ${e.type}，代码 ${e.code}）`,
          ),
          {
            address: d.address,
            port: d.port,
            outcome: d.outcome,
            icmp: { ...e },
          },
        ),
      ],
    });
  },
};
