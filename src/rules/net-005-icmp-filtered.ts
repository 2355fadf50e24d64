import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { sameIp, tr } from './helpers.js';

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
          evidence(
            'icmp.echo',
            tr(
              ctx.lang,
              `ping ${d.address}: ${d.received}/${d.sent} replies (${d.lossPct}% loss, ${d.method})`,
              `ping ${d.address}：收到 ${d.received}/${d.sent} 个回复（丢包 ${d.lossPct}%，${d.method}）`,
            ),
            { address: d.address, sent: d.sent, received: d.received, method: d.method },
          ),
          evidence(
            'tcp.connect',
            tr(
              ctx.lang,
              `TCP ${open.data.address}:${open.data.port} open in ${Math.round(open.data.ms)} ms`,
              `TCP ${open.data.address}:${open.data.port} 在 ${Math.round(open.data.ms)} 毫秒内连接成功`,
            ),
            {
              address: open.data.address,
              port: open.data.port,
              outcome: open.data.outcome,
            },
          ),
          ...(fw?.data.rule
            ? [
                evidence(
                  'firewall.verdict',
                  tr(
                    ctx.lang,
                    `local ${fw.data.rule.backend} ${fw.data.rule.table}/${fw.data.rule.chain} rule ${fw.data.rule.number ?? '?'}: ${fw.data.rule.text}`,
                    `本机 ${fw.data.rule.backend} ${fw.data.rule.table}/${fw.data.rule.chain} 第 ${fw.data.rule.number ?? '?'} 条规则：\`${fw.data.rule.text}\``,
                  ),
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
