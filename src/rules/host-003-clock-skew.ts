import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { secs } from './helpers.js';

export const meta: RuleMeta = {
  code: 'HOST-003',
  slug: 'clock-skew',
  layer: 'host',
  severity: 'error',
  title: { en: 'The local clock is {skew} s {direction} the servers’ time', zh: '本机时间偏差：比服务器时间{direction} {skew} 秒' },
  explanation: {
    en: 'Every time source met during the diagnosis says the local clock is off by about {skew} s, more than the tolerance of {tolerance} s. Certificates are judged against the local clock, so valid ones look expired or not yet valid.',
    zh: '诊断中遇到的所有时间源都表明本机时间偏差约 {skew} 秒，超过了 {tolerance} 秒的容差。证书有效期是按本机时间判断的，因此有效证书会显示为已过期或尚未生效。',
  },
  evidence: {
    en: 'Server time from the TLS/HTTP Date header or another responder against the local time at that moment, per source.',
    zh: '每个时间源（TLS/HTTP 的 Date 头或其他应答方）给出的服务器时间与当时的本机时间对比。',
  },
  fix: [
    { summary: { en: 'Enable time synchronisation (NTP)', zh: '启用时间同步（NTP）' }, command: 'timedatectl set-ntp true' },
    {
      summary: {
        en: 'If NTP cannot reach a server, set the time once and find out why NTP is blocked (UDP 123)',
        zh: '如果 NTP 无法连到时间服务器，先手动校准一次时间，再排查 NTP（UDP 123）被阻断的原因',
      },
    },
  ],
  explains: ['TLS-001', 'TLS-002', 'TLS-008'],
};

const M = defineMessages('HOST-003', {
  /** The meta's title with its direction chosen in each language (a param holds no language's words). */
  skewTitle: msg(
    (p: { skew: string; ahead: boolean }) => `The local clock is ${p.skew} s ${p.ahead ? 'ahead of' : 'behind'} the servers’ time`,
    (p) => `本机时间偏差：比服务器时间${p.ahead ? '快' : '慢'} ${p.skew} 秒`,
  ),
  source: msg(
    (p: { source: string; peer: string; time: string; skewMs: number }) => `${p.source} ${p.peer}: server time ${p.time}, local clock ${p.skewMs >= 0 ? '+' : '−'}${secs(Math.abs(p.skewMs))} s`,
    (p) => `${p.source} ${p.peer}：服务器时间 ${p.time}，本机时钟偏差 ${p.skewMs >= 0 ? '+' : '−'}${secs(Math.abs(p.skewMs))} 秒`,
  ),
});

/**
 * skewMs is local − server (positive: the local clock is ahead). A fault only when every source
 * agrees: all beyond the tolerance and on the same side; one server with a wrong clock proves nothing.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const sources = ofKind(ctx.observations, 'host.clock')
      .flatMap((o) => o.data.sources)
      .filter((s) => Number.isFinite(s.skewMs));
    if (sources.length === 0) return null;
    const tolMs = ctx.options.clockToleranceSec * 1000;
    const ahead = sources.every((s) => s.skewMs > tolMs);
    const behind = sources.every((s) => s.skewMs < -tolMs);
    if (!ahead && !behind) return null;
    const sorted = sources.map((s) => s.skewMs).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const skew = secs(Math.abs(median));
    return makeFinding(meta, ctx, {
      vars: { skew, tolerance: ctx.options.clockToleranceSec },
      title: M.skewTitle({ skew, ahead }),
      evidence: sources.map((s) =>
        evidence('host.clock', M.source({ source: s.source, peer: s.peer, time: s.time, skewMs: s.skewMs }), {
          source: s.source,
          peer: s.peer,
          time: s.time,
          skewMs: s.skewMs,
        }),
      ),
    });
  },
};
