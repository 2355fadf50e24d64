import type { Rule, RuleMeta } from './types.js';
import { formatHostPort } from '../model/target.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { sameIp } from './helpers.js';

export const meta: RuleMeta = {
  code: 'NET-005',
  slug: 'icmp-filtered',
  layer: 'network',
  severity: 'warning',
  title: { en: '{address} does not answer ping, but its TCP port {port} is open', zh: 'ICMP被过滤，业务端口正常：{address} 不响应 ping，但 TCP 端口 {port} 可以连接' },
  explanation: {
    en: 'ICMP echo to {address} got no reply ({received}/{sent}) while a TCP connect to port {port} succeeds: ICMP is filtered somewhere on the path or by the host. The service works; ping is just not a valid health check for it.',
    zh: '对 {address} 的 ICMP echo 没有回应（{received}/{sent}），而连接 TCP 端口 {port} 成功：路径上或目标主机过滤了 ICMP。业务本身正常，只是 ping 不能作为它的健康检查手段。',
  },
  evidence: { en: 'The ping result, the successful TCP connect, and the local rule that drops ICMP when there is one.', zh: 'ping 结果、成功的 TCP 连接，以及（若有）本机丢弃 ICMP 的规则。' },
  fix: [
    { summary: { en: 'Monitor the service with a TCP check instead of ping', zh: '改用 TCP 检查代替 ping 来监控该服务' }, command: 'nc -z -w 3 {address} {port}' },
    { summary: { en: 'If ping must work, allow ICMP echo on the filtering firewall', zh: '如果必须能 ping 通，请在过滤 ICMP 的防火墙上放行 echo 请求' } },
  ],
};

const M = defineMessages('NET-005', {
  ping: msg(
    (p: { address: string; received: number; sent: number; lossPct: number; method: string }) => `ping ${p.address}: ${p.received}/${p.sent} replies (${p.lossPct}% loss, ${p.method})`,
    (p) => `ping ${p.address}：收到 ${p.received}/${p.sent} 个回复（丢包 ${p.lossPct}%，${p.method}）`,
  ),
  tcpOpen: msg(
    (p: { address: string; port: number; ms: number }) => `TCP ${formatHostPort(p.address, p.port)} open in ${p.ms} ms`,
    (p) => `TCP ${formatHostPort(p.address, p.port)} 在 ${p.ms} 毫秒内连接成功`,
  ),
  firewallRule: msg(
    (p: { backend: string; table: string; chain: string; number: number | null; text: string }) => `local ${p.backend} ${p.table}/${p.chain} rule ${p.number ?? '?'}: ${p.text}`,
    (p) => `本机 ${p.backend} ${p.table}/${p.chain} 第 ${p.number ?? '?'} 条规则：\`${p.text}\``,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const conns = ofKind(ctx.observations, 'tcp.connect');
    // A VPN endpoint's ping is the tunnel layer's (VPN-002): never pair it with the target's TCP.
    const endpoints = ofKind(ctx.observations, 'tunnel.endpoint').map((t) => t.data.address);
    for (const e of ofKind(ctx.observations, 'icmp.echo')) {
      const d = e.data;
      if (d.method === 'unavailable' || d.sent === 0 || d.received > 0) continue;
      const sameAddr = conns.filter((c) => sameIp(c.data.address, d.address));
      if (sameAddr.length === 0 && endpoints.some((a) => sameIp(a, d.address))) continue;
      const open = (sameAddr.length > 0 ? sameAddr : conns).find((c) => c.data.outcome === 'open');
      if (!open) continue;
      const fw = ofKind(ctx.observations, 'firewall.verdict').find((f) => (f.data.proto === 'icmp' || f.data.proto === 'icmpv6') && (f.data.verdict === 'DROP' || f.data.verdict === 'REJECT'));
      return makeFinding(meta, ctx, {
        vars: { address: d.address, port: open.data.port, sent: d.sent, received: d.received },
        evidence: [
          evidence('icmp.echo', M.ping({ address: d.address, received: d.received, sent: d.sent, lossPct: d.lossPct, method: d.method }), {
            address: d.address,
            sent: d.sent,
            received: d.received,
            method: d.method,
          }),
          evidence('tcp.connect', M.tcpOpen({ address: open.data.address, port: open.data.port, ms: Math.round(open.data.ms) }), {
            address: open.data.address,
            port: open.data.port,
            outcome: open.data.outcome,
          }),
          ...(fw?.data.rule
            ? [
                evidence(
                  'firewall.verdict',
                  M.firewallRule({
                    backend: fw.data.rule.backend,
                    table: fw.data.rule.table,
                    chain: fw.data.rule.chain,
                    number: fw.data.rule.number ?? null,
                    text: fw.data.rule.text,
                  }),
                  { ...fw.data },
                ),
              ]
            : []),
        ],
      });
    }
    return null;
  },
};
