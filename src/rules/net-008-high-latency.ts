import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { sameIp } from './helpers.js';
import type { Lang } from '../model/layer.js';
import type { TraceHop } from '../model/observation.js';

export const meta: RuleMeta = {
  code: 'NET-008',
  slug: 'high-latency',
  layer: 'network',
  severity: 'error',
  title: { en: 'High latency to {dst}: RTT {avg} ms (jitter {stddev} ms), rising at hop {hop}', zh: '延迟过高：到 {dst} 的 RTT {avg} 毫秒（抖动 {stddev} 毫秒），从第 {hop} 跳开始升高' },
  explanation: {
    en: 'The round-trip time or its jitter to {dst} is above the threshold ({threshold} ms). The increase starts at hop {hop} ({router}) and stays to the target: a congested or long-haul link there, or a queue that is too deep (bufferbloat).',
    zh: '到 {dst} 的往返时延或抖动超过阈值（{threshold} 毫秒）。时延从第 {hop} 跳（{router}）开始升高并保持到目标：该处链路拥塞、绕远，或队列过深（bufferbloat）。',
  },
  evidence: { en: 'RTT min/avg/max/stddev per hop.', zh: '逐跳的 RTT 最小/平均/最大/标准差。' },
  fix: [
    {
      summary: {
        en: 'Check the load and the routing of the link at hop {hop} ({router}); for the target’s own queue, check its CPU and load',
        zh: '检查第 {hop} 跳（{router}）所在链路的负载与路由；若是目标自身排队，检查其 CPU 与负载',
      },
    },
  ],
  explains: ['APP-001'],
};

/** Average RTT (ms) above which the latency is high. */
export const RTT_THRESHOLD_MS = 150;
/** RTT standard deviation (ms) above which the jitter is high. */
export const JITTER_THRESHOLD_MS = 50;

const high = (r: NonNullable<TraceHop['rtt']>): boolean => r.avg > RTT_THRESHOLD_MS || r.stddev > JITTER_THRESHOLD_MS;

/**
 * The hop where the latency rises and stays: the first answering hop from which every later
 * answering hop has at least half the target's average RTT. A router that is merely slow to
 * answer its own ICMP (a high RTT that later hops do not carry) is not it.
 */
export function risingHop(hops: readonly TraceHop[]): TraceHop | null {
  const end = hops[hops.length - 1];
  if (!end?.rtt) return null;
  const half = end.rtt.avg / 2;
  const answered = hops.filter((h) => h.rtt);
  for (let i = 0; i < answered.length; i++) if (answered.slice(i).every((h) => h.rtt!.avg >= half)) return answered[i]!;
  return end;
}

const fmt = (v: number): number => Math.round(v * 10) / 10;
/** A path's hops as parallel lists (`answered`: 1 where the hop has an RTT; the RTT lists hold 0 where it has none). */
type Hops = { ttl: number[]; addr: string[]; answered: number[]; avg: number[]; min: number[]; max: number[]; sd: number[] };

const hopParams = (hops: readonly TraceHop[]): Hops => ({
  ttl: hops.map((h) => h.ttl),
  addr: hops.map((h) => h.addr ?? '???'),
  answered: hops.map((h) => (h.rtt ? 1 : 0)),
  avg: hops.map((h) => (h.rtt ? fmt(h.rtt.avg) : 0)),
  min: hops.map((h) => (h.rtt ? fmt(h.rtt.min) : 0)),
  max: hops.map((h) => (h.rtt ? fmt(h.rtt.max) : 0)),
  sd: hops.map((h) => (h.rtt ? fmt(h.rtt.stddev) : 0)),
});

const hopList = (lang: Lang, p: Hops): string =>
  p.ttl
    .map((ttl, i) => {
      const head = `${ttl} ${p.addr[i]}`;
      if (lang === 'zh') return p.answered[i] ? `${head} 平均 ${p.avg[i]} 毫秒（最小 ${p.min[i]}，最大 ${p.max[i]}，标准差 ${p.sd[i]}）` : `${head} 无应答`;
      return p.answered[i] ? `${head} avg ${p.avg[i]} ms (min ${p.min[i]}, max ${p.max[i]}, sd ${p.sd[i]})` : `${head} no answer`;
    })
    .join(lang === 'zh' ? '，' : ', ');

const M = defineMessages('NET-008', {
  trace: msg(
    (p: Hops & { proto: string; target: string }) => `${p.proto.toUpperCase()} trace to ${p.target}: ${hopList('en', p)}`,
    (p) => `到 ${p.target} 的 ${p.proto.toUpperCase()} 路径追踪：${hopList('zh', p)}`,
  ),
  echoTitle: msg(
    (p: { address: string; avg: number; stddev: number }) => `High latency to ${p.address}: RTT ${p.avg} ms (jitter ${p.stddev} ms)`,
    (p) => `延迟过高：到 ${p.address} 的 RTT ${p.avg} 毫秒（抖动 ${p.stddev} 毫秒）`,
  ),
  echoWhy: msg(
    (p: { address: string; rttMs: number; jitterMs: number }) =>
      `The round-trip time or its jitter to ${p.address} is above the threshold (${p.rttMs} ms average, ${p.jitterMs} ms jitter). Run \`netdx trace ${p.address}\` to find the hop where it rises.`,
    (p) => `到 ${p.address} 的往返时延或抖动超过阈值（平均 ${p.rttMs} 毫秒，抖动 ${p.jitterMs} 毫秒）。运行 \`netdx trace ${p.address}\` 找出时延升高的跳点。`,
  ),
  echo: msg(
    (p: { address: string; min: number; avg: number; max: number; sd: number }) => `ping ${p.address}: RTT min/avg/max/sd ${p.min}/${p.avg}/${p.max}/${p.sd} ms`,
    (p) => `ping ${p.address}：RTT 最小/平均/最大/标准差 ${p.min}/${p.avg}/${p.max}/${p.sd} 毫秒`,
  ),
  traceIt: msg('Trace the path to find the hop where the latency rises', '追踪路径，找出时延升高的跳点'),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      for (const p of t.data.paths) {
        const end = p.hops[p.hops.length - 1];
        if (!end?.target || !end.rtt || !high(end.rtt)) continue;
        const rise = risingHop(p.hops)!;
        return makeFinding(meta, ctx, {
          vars: { dst: t.data.target, avg: fmt(end.rtt.avg), stddev: fmt(end.rtt.stddev), hop: rise.ttl, router: rise.addr ?? '???', threshold: `${RTT_THRESHOLD_MS}/${JITTER_THRESHOLD_MS}` },
          evidence: [evidence('trace.path', M.trace({ proto: t.data.proto, target: t.data.target, ...hopParams(p.hops) }), { target: t.data.target, hops: p.hops })],
        });
      }
    }
    // Without a trace: the echo RTT of the target.
    for (const e of ofKind(ctx.observations, 'icmp.echo')) {
      const r = e.data.rtt;
      if (!r || !high(r) || !sameIp(e.data.address, ctx.target.host)) continue;
      return makeFinding(meta, ctx, {
        vars: { dst: e.data.address, avg: fmt(r.avg), stddev: fmt(r.stddev), threshold: `${RTT_THRESHOLD_MS}/${JITTER_THRESHOLD_MS}` },
        title: M.echoTitle({ address: e.data.address, avg: fmt(r.avg), stddev: fmt(r.stddev) }),
        explanation: M.echoWhy({ address: e.data.address, rttMs: RTT_THRESHOLD_MS, jitterMs: JITTER_THRESHOLD_MS }),
        evidence: [evidence('icmp.echo', M.echo({ address: e.data.address, min: fmt(r.min), avg: fmt(r.avg), max: fmt(r.max), sd: fmt(r.stddev) }))],
        fix: [{ summary: M.traceIt(), command: `netdx trace ${e.data.address}` }],
      });
    }
    return null;
  },
};
