import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind, ruleMessages, fixOf, type Msg } from './types.js';
import { sameIp } from './helpers.js';
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
    { summary: { en: 'Check the load and the routing of the link at hop {hop} ({router}); for the target’s own queue, check its CPU and load', zh: '检查第 {hop} 跳（{router}）所在链路的负载与路由；若是目标自身排队，检查其 CPU 与负载' } },
  ],
  implemented: true,
  issue: 5,
  explains: ['APP-001'],
  messages: {
    hop: { en: '{ttl} {addr} avg {avg} ms (min {min}, max {max}, sd {sd})', zh: '{ttl} {addr} 平均 {avg} 毫秒（最小 {min}，最大 {max}，标准差 {sd}）' },
    hopSilent: { en: '{ttl} {addr} no answer', zh: '{ttl} {addr} 无应答' },
    trace: { en: '{proto} trace to {dst}: {hops}', zh: '到 {dst} 的 {proto} 路径追踪：{hops}' },
    echoTitle: { en: 'High latency to {dst}: RTT {avg} ms (jitter {sd} ms)', zh: '延迟过高：到 {dst} 的 RTT {avg} 毫秒（抖动 {sd} 毫秒）' },
    echoExplanation: { en: 'The round-trip time or its jitter to {dst} is above the threshold ({rtt} ms average, {jitter} ms jitter). Run `netdx trace {dst}` to find the hop where it rises.', zh: '到 {dst} 的往返时延或抖动超过阈值（平均 {rtt} 毫秒，抖动 {jitter} 毫秒）。运行 `netdx trace {dst}` 找出时延升高的跳点。' },
    echo: { en: 'ping {dst}: RTT min/avg/max/sd {min}/{avg}/{max}/{sd} ms', zh: 'ping {dst}：RTT 最小/平均/最大/标准差 {min}/{avg}/{max}/{sd} 毫秒' },
    traceFix: { en: 'Trace the path to find the hop where the latency rises', zh: '追踪路径，找出时延升高的跳点' },
  },
};

const m = ruleMessages(meta);

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
const hopText = (h: TraceHop): Msg => (h.rtt ? m('hop', { ttl: h.ttl, addr: h.addr ?? '???', avg: fmt(h.rtt.avg), min: fmt(h.rtt.min), max: fmt(h.rtt.max), sd: fmt(h.rtt.stddev) }) : m('hopSilent', { ttl: h.ttl, addr: h.addr ?? '???' }));

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
          evidence: [evidence('trace.path', m('trace', { proto: t.data.proto.toUpperCase(), dst: t.data.target, hops: p.hops.map(hopText) }), { target: t.data.target, hops: p.hops })],
        });
      }
    }
    // Without a trace: the echo RTT of the target.
    for (const e of ofKind(ctx.observations, 'icmp.echo')) {
      const r = e.data.rtt;
      if (!r || !high(r) || !sameIp(e.data.address, ctx.target.host)) continue;
      return makeFinding(meta, ctx, {
        vars: { dst: e.data.address, avg: fmt(r.avg), stddev: fmt(r.stddev), threshold: `${RTT_THRESHOLD_MS}/${JITTER_THRESHOLD_MS}` },
        title: m('echoTitle', { dst: e.data.address, avg: fmt(r.avg), sd: fmt(r.stddev) }),
        explanation: m('echoExplanation', { dst: e.data.address, rtt: RTT_THRESHOLD_MS, jitter: JITTER_THRESHOLD_MS }),
        evidence: [evidence('icmp.echo', m('echo', { dst: e.data.address, min: fmt(r.min), avg: fmt(r.avg), max: fmt(r.max), sd: fmt(r.stddev) }))],
        fix: [fixOf(m('traceFix'), `netdx trace ${e.data.address}`)],
      });
    }
    return null;
  },
};
