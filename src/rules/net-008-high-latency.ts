import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { sameIp, tr } from './helpers.js';
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
const hopText = (lang: Lang, h: TraceHop): string =>
  h.rtt
    ? tr(
        lang,
        `${h.ttl} ${h.addr ?? '???'} avg ${fmt(h.rtt.avg)} ms (min ${fmt(h.rtt.min)}, max ${fmt(h.rtt.max)}, sd ${fmt(h.rtt.stddev)})`,
        `${h.ttl} ${h.addr ?? '???'} 平均 ${fmt(h.rtt.avg)} 毫秒（最小 ${fmt(h.rtt.min)}，最大 ${fmt(h.rtt.max)}，标准差 ${fmt(h.rtt.stddev)}）`,
      )
    : tr(lang, `${h.ttl} ${h.addr ?? '???'} no answer`, `${h.ttl} ${h.addr ?? '???'} 无应答`);

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
          evidence: [
            evidence(
              'trace.path',
              tr(
                ctx.lang,
                `${t.data.proto.toUpperCase()} trace to ${t.data.target}: ${p.hops.map((h) => hopText(ctx.lang, h)).join(', ')}`,
                `到 ${t.data.target} 的 ${t.data.proto.toUpperCase()} 路径追踪：${p.hops.map((h) => hopText(ctx.lang, h)).join('，')}`,
              ),
              { target: t.data.target, hops: p.hops },
            ),
          ],
        });
      }
    }
    // Without a trace: the echo RTT of the target.
    for (const e of ofKind(ctx.observations, 'icmp.echo')) {
      const r = e.data.rtt;
      if (!r || !high(r) || !sameIp(e.data.address, ctx.target.host)) continue;
      return makeFinding(meta, ctx, {
        vars: { dst: e.data.address, avg: fmt(r.avg), stddev: fmt(r.stddev), threshold: `${RTT_THRESHOLD_MS}/${JITTER_THRESHOLD_MS}` },
        title: tr(
          ctx.lang,
          `High latency to ${e.data.address}: RTT ${fmt(r.avg)} ms (jitter ${fmt(r.stddev)} ms)`,
          `延迟过高：到 ${e.data.address} 的 RTT ${fmt(r.avg)} 毫秒（抖动 ${fmt(r.stddev)} 毫秒）`,
        ),
        explanation: tr(
          ctx.lang,
          `The round-trip time or its jitter to ${e.data.address} is above the threshold (${RTT_THRESHOLD_MS} ms average, ${JITTER_THRESHOLD_MS} ms jitter). Run \`netdx trace ${e.data.address}\` to find the hop where it rises.`,
          `到 ${e.data.address} 的往返时延或抖动超过阈值（平均 ${RTT_THRESHOLD_MS} 毫秒，抖动 ${JITTER_THRESHOLD_MS} 毫秒）。运行 \`netdx trace ${e.data.address}\` 找出时延升高的跳点。`,
        ),
        evidence: [
          evidence(
            'icmp.echo',
            tr(
              ctx.lang,
              `ping ${e.data.address}: RTT min/avg/max/sd ${fmt(r.min)}/${fmt(r.avg)}/${fmt(r.max)}/${fmt(r.stddev)} ms`,
              `ping ${e.data.address}：RTT 最小/平均/最大/标准差 ${fmt(r.min)}/${fmt(r.avg)}/${fmt(r.max)}/${fmt(r.stddev)} 毫秒`,
            ),
          ),
        ],
        fix: [{ summary: tr(ctx.lang, 'Trace the path to find the hop where the latency rises', '追踪路径，找出时延升高的跳点'), command: `netdx trace ${e.data.address}` }],
      });
    }
    return null;
  },
};
