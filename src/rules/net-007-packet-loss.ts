import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { hopColumns, sameIp } from './helpers.js';
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

/** A path's hops as parallel lists (`limited`: 1 where the hop's ICMP answers are rate-limited). */
type Hops = { ttl: number[]; addr: string[]; recv: number[]; sent: number[]; loss: number[]; limited: number[] };

const hopParams = (hops: readonly TraceHop[]): Hops => ({ ...hopColumns(hops), loss: hops.map((h) => h.lossPct) });

const hopList = (lang: Lang, p: Hops): string =>
  p.ttl
    .map((ttl, i) =>
      lang === 'zh'
        ? `${ttl} ${p.addr[i]} ${p.recv[i]}/${p.sent[i]}（${p.loss[i]}%${p.limited[i] ? '，ICMP 限速' : ''}）`
        : `${ttl} ${p.addr[i]} ${p.recv[i]}/${p.sent[i]} (${p.loss[i]}%${p.limited[i] ? ', ICMP rate-limited' : ''})`,
    )
    .join(lang === 'zh' ? '，' : ', ');

const M = defineMessages('NET-007', {
  trace: msg(
    (p: Hops & { proto: string; target: string; flow: string }) => `${p.proto.toUpperCase()} trace to ${p.target}, ${p.flow}: ${hopList('en', p)}`,
    (p) => `到 ${p.target} 的 ${p.proto.toUpperCase()} 路径追踪，${p.flow}：${hopList('zh', p)}`,
  ),
  checkFirstLink: msg(
    (p: { router: string }) => `Check the link between this host and hop 1 (${p.router}): interface errors, duplex, Wi-Fi signal, congestion`,
    (p) => `检查本机与第 1 跳（${p.router}）之间的链路：接口错误、双工、Wi-Fi 信号、拥塞`,
  ),
  echoTitle: msg(
    (p: { address: string; loss: number }) => `${p.loss}% packet loss to ${p.address}`,
    (p) => `丢包：到 ${p.address} 的丢包率 ${p.loss}%`,
  ),
  echoWhy: msg(
    (p: { address: string; threshold: number }) => `More than ${p.threshold}% of the echo requests to ${p.address} are lost. Run \`netdx trace ${p.address}\` to find the hop where the loss starts.`,
    (p) => `发往 ${p.address} 的回显请求丢失超过 ${p.threshold}%。运行 \`netdx trace ${p.address}\` 找出丢包开始的跳点。`,
  ),
  echo: msg(
    (p: { address: string; received: number; sent: number; loss: number }) => `ping ${p.address}: ${p.received}/${p.sent} answered (${p.loss}% loss)`,
    (p) => `ping ${p.address}：${p.received}/${p.sent} 有应答（丢包 ${p.loss}%）`,
  ),
  traceIt: msg('Trace the path to find the first lossy hop', '追踪路径，找出第一个丢包的跳点'),
});

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
          evidence: [evidence('trace.path', M.trace({ proto: t.data.proto, target: t.data.target, flow: p.flow, ...hopParams(p.hops) }), { target: t.data.target, hops: p.hops })],
          fix: prev === 0 ? [{ summary: M.checkFirstLink({ router }) }] : undefined,
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
        title: M.echoTitle({ address: d.address, loss: d.lossPct }),
        explanation: M.echoWhy({ address: d.address, threshold: LOSS_THRESHOLD_PCT }),
        evidence: [evidence('icmp.echo', M.echo({ address: d.address, received: d.received, sent: d.sent, loss: d.lossPct }))],
        fix: [{ summary: M.traceIt(), command: `netdx trace ${d.address}` }],
      });
    }
    return null;
  },
};
