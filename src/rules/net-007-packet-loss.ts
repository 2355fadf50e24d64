import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { sameIp, tr } from './helpers.js';
import { firstLossyHop } from '../analyze/trace-stats.js';
import type { TraceHop } from '../model/observation.js';
import type { Lang } from '../model/layer.js';

export const meta: RuleMeta = {
  code: 'NET-007',
  slug: 'packet-loss',
  layer: 'network',
  severity: 'error',
  title: { en: '{loss}% packet loss to {dst}, starting at hop {hop} ({router})', zh: '丢包：到 {dst} 的丢包率 {loss}%，从第 {hop} 跳（{router}）开始' },
  explanation: {
    en: 'More than {threshold}% of the packets to {dst} are lost. The loss first appears at hop {hop} ({router}) and persists to the target, so that link or router is the place to look; loss that appears at one hop only and not beyond is ICMP rate limiting, not loss.',
    zh: '发往 {dst} 的报文丢失超过 {threshold}%。丢包从第 {hop} 跳（{router}）开始出现并一直持续到目标，应重点检查该链路或路由器；只在某一跳出现、之后各跳正常的丢包是 ICMP 限速，不是真正的丢包。',
  },
  evidence: { en: 'Sent/received per hop (mtr-style) and the first hop from which the loss persists to the target.', zh: '逐跳的发送/接收数（类似 mtr），以及丢包开始并持续到目标的第一跳。' },
  fix: [
    {
      summary: {
        en: 'Check the link between hop {prevHop} and hop {hop} ({router}): interface errors, duplex, congestion; report it to its operator with the hop list',
        zh: '检查第 {prevHop} 跳与第 {hop} 跳（{router}）之间的链路：接口错误、双工、拥塞；附上逐跳结果联系其管理方',
      },
    },
  ],
  explains: ['DNS-001', 'TCP-002', 'TCP-005', 'TLS-009', 'APP-001'],
};

/** Loss (%) above which the path is lossy. */
export const LOSS_THRESHOLD_PCT = 2;
/** Echo requests needed before echo loss alone is judged (a lost one of four is noise, not a rate). */
const MIN_ECHOES = 10;

const hopText = (lang: Lang, h: TraceHop): string =>
  tr(
    lang,
    `${h.ttl} ${h.addr ?? '???'} ${h.recv}/${h.sent} (${h.lossPct}%${h.rateLimited ? ', ICMP rate-limited' : ''})`,
    `${h.ttl} ${h.addr ?? '???'} ${h.recv}/${h.sent}（${h.lossPct}%${h.rateLimited ? '，ICMP 限速' : ''}）`,
  );

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      for (const p of t.data.paths) {
        const first = firstLossyHop(p.hops, LOSS_THRESHOLD_PCT);
        if (!first) continue;
        const end = p.hops[p.hops.length - 1]!;
        const prev = first.ttl - 1;
        const router = first.addr ?? '???';
        return makeFinding(meta, ctx, {
          vars: { loss: end.lossPct, dst: t.data.target, hop: first.ttl, router, prevHop: prev, threshold: LOSS_THRESHOLD_PCT },
          evidence: [
            evidence(
              'trace.path',
              tr(
                ctx.lang,
                `${t.data.proto.toUpperCase()} trace to ${t.data.target}, ${p.flow}: ${p.hops.map((h) => hopText(ctx.lang, h)).join(', ')}`,
                `到 ${t.data.target} 的 ${t.data.proto.toUpperCase()} 路径追踪，${p.flow}：${p.hops.map((h) => hopText(ctx.lang, h)).join('，')}`,
              ),
              { target: t.data.target, hops: p.hops },
            ),
          ],
          fix:
            prev === 0
              ? [
                  {
                    summary: tr(
                      ctx.lang,
                      `Check the link between this host and hop 1 (${router}): interface errors, duplex, Wi-Fi signal, congestion`,
                      `检查本机与第 1 跳（${router}）之间的链路：接口错误、双工、Wi-Fi 信号、拥塞`,
                    ),
                  },
                ]
              : undefined,
        });
      }
    }
    // Without a trace: a long enough echo series to the target that loses packets.
    for (const e of ofKind(ctx.observations, 'icmp.echo')) {
      const d = e.data;
      if (d.method === 'unavailable' || d.sent < MIN_ECHOES || d.received === 0 || d.lossPct <= LOSS_THRESHOLD_PCT) continue;
      if (!sameIp(d.address, ctx.target.host) && ofKind(ctx.observations, 'tcp.connect').every((c) => !sameIp(c.data.address, d.address))) continue;
      // A trace that reached the address measured the loss hop by hop, and found none that lasts.
      if (ofKind(ctx.observations, 'trace.path').some((t) => sameIp(t.data.target, d.address) && t.data.reached)) continue;
      return makeFinding(meta, ctx, {
        vars: { loss: d.lossPct, dst: d.address, threshold: LOSS_THRESHOLD_PCT },
        title: tr(ctx.lang, `${d.lossPct}% packet loss to ${d.address}`, `丢包：到 ${d.address} 的丢包率 ${d.lossPct}%`),
        explanation: tr(
          ctx.lang,
          `More than ${LOSS_THRESHOLD_PCT}% of the echo requests to ${d.address} are lost. Run \`netdx trace ${d.address}\` to find the hop where the loss starts.`,
          `发往 ${d.address} 的回显请求丢失超过 ${LOSS_THRESHOLD_PCT}%。运行 \`netdx trace ${d.address}\` 找出丢包开始的跳点。`,
        ),
        evidence: [
          evidence('icmp.echo', tr(ctx.lang, `ping ${d.address}: ${d.received}/${d.sent} answered (${d.lossPct}% loss)`, `ping ${d.address}：${d.received}/${d.sent} 有应答（丢包 ${d.lossPct}%）`)),
        ],
        fix: [{ summary: tr(ctx.lang, 'Trace the path to find the first lossy hop', '追踪路径，找出第一个丢包的跳点'), command: `netdx trace ${d.address}` }],
      });
    }
    return null;
  },
};
