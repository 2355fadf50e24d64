import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'APP-001',
  slug: 'heartbeat-lost',
  layer: 'app',
  severity: 'error',
  title: {
    en: 'Heartbeats to {peer} go unanswered or come every {interval} s, above the peer’s timeout of {timeout} s',
    zh: '心跳异常：发往 {peer} 的心跳无回应，或间隔 {interval} 秒超过对端超时 {timeout} 秒',
  },
  explanation: {
    en: 'The application sends heartbeats, but the peer does not answer them, or the interval between them exceeds the time after which the peer declares the session dead; the session drops although the network is fine.',
    zh: '应用发送了心跳，但对端没有回应，或者心跳间隔超过了对端判定会话失效的时间；即使网络正常，会话也会断开。',
  },
  evidence: { en: 'Heartbeat send and receive times.', zh: '心跳的发送与接收时间。' },
  fix: [
    { summary: { en: 'Set the heartbeat interval below the peer’s timeout ({timeout} s), or raise the timeout on the peer', zh: '把心跳间隔设置为低于对端超时（{timeout} 秒），或者在对端调大超时' } },
  ],
};

/** Reply time per beat (ms); `lost` the indexes of the beats without a reply (their replyMs is 0). */
type Beats = { replyMs: number[]; lost: number[] };
const beatsEn = (p: Beats): string => p.replyMs.map((ms, i) => (p.lost.includes(i) ? 'lost' : `${ms} ms`)).join(', ');
const beatsZh = (p: Beats): string => p.replyMs.map((ms, i) => (p.lost.includes(i) ? '丢失' : `${ms} 毫秒`)).join('，');

const M = defineMessages('APP-001', {
  beats: msg(
    (p: Beats & { sent: number; send: string; everySec: number; tls: boolean; answered: number; expect: string }) =>
      `${p.sent} heartbeat(s) '${p.send}' sent every ${p.everySec} s over ${p.tls ? 'TLS' : 'TCP'}, ${p.answered} answered with '${p.expect}'; reply times ${beatsEn(p)}`,
    (p) => `每 ${p.everySec} 秒经 ${p.tls ? 'TLS' : 'TCP'} 发送心跳 "${p.send}"，共 ${p.sent} 个，${p.answered} 个收到回复 "${p.expect}"；回复耗时 ${beatsZh(p)}`,
  ),
  peerClosed: msg(
    (p: { reset: boolean; afterIdleSec: number }) => `the peer ${p.reset ? 'reset' : 'closed'} the session ${p.afterIdleSec} s after the last heartbeat (its idle timeout is about that)`,
    (p) => `对端在最后一个心跳之后 ${p.afterIdleSec} 秒${p.reset ? '重置' : '关闭'}了会话（其空闲超时约为该值）`,
  ),
  beatFaster: msg(
    (p: { timeout: number; suggest: number; everySec: number }) =>
      `Send heartbeats more often than the peer's idle timeout (about ${p.timeout} s), e.g. every ${p.suggest} s instead of ${p.everySec} s, or raise the timeout on the peer`,
    (p) => `把心跳间隔（当前 ${p.everySec} 秒）设置为低于对端超时（约 ${p.timeout} 秒），例如 ${p.suggest} 秒；或在对端调大空闲超时`,
  ),
  checkHandler: msg(
    (p: { lost: number; sent: number; expect: string }) => `The peer left ${p.lost} of ${p.sent} heartbeats unanswered: check its heartbeat handler (expected reply '${p.expect}') and its log`,
    (p) => `对端未回应 ${p.lost}/${p.sent} 个心跳：检查对端的心跳处理（期望回复 "${p.expect}"）及其日志`,
  ),
  timeoutTitle: msg(
    (p: { peer: string; interval: number; timeout: number }) => `Heartbeats to ${p.peer} every ${p.interval} s exceed the peer's idle timeout (about ${p.timeout} s)`,
    (p) => `心跳异常：心跳间隔 ${p.interval} 秒超过对端 ${p.peer} 的空闲超时（约 ${p.timeout} 秒）`,
  ),
  lostTitle: msg(
    (p: { peer: string; lost: number; sent: number }) => `${p.lost} of ${p.sent} heartbeats to ${p.peer} went unanswered`,
    (p) => `心跳异常：${p.peer} 未回应 ${p.lost}/${p.sent} 个心跳`,
  ),
});

/**
 * Fires when heartbeats go unanswered, or when the peer closes the session during the test —
 * then the idle time after which it closed is its timeout, and the interval is compared with it.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    for (const o of ofKind(ctx.observations, 'app.heartbeat')) {
      const d = o.data;
      if (d.sent === 0) continue;
      const lost = d.sent - d.answered;
      if (lost === 0 && !d.peerClosed) continue;
      const peer = `${d.address.includes(':') ? `[${d.address}]` : d.address}:${d.port}`;
      const timeout = d.peerClosed ? d.peerClosed.afterIdleSec : '?';
      const interval = d.intervalSec ?? d.everySec;
      const ev = [
        evidence(
          'app.heartbeat',
          M.beats({
            sent: d.sent,
            send: d.send,
            everySec: d.everySec,
            tls: d.tls,
            answered: d.answered,
            expect: d.expect,
            replyMs: d.beats.map((b) => b.replyMs ?? 0),
            lost: d.beats.flatMap((b, i) => (b.replyMs === null ? [i] : [])),
          }),
          { beats: d.beats },
        ),
      ];
      if (d.peerClosed) ev.push(evidence('app.heartbeat', M.peerClosed({ reset: d.peerClosed.event === 'rst', afterIdleSec: d.peerClosed.afterIdleSec }), { peerClosed: d.peerClosed }));
      const closedAfter = d.peerClosed?.afterIdleSec;
      return makeFinding(meta, ctx, {
        vars: { peer, interval, timeout },
        title: closedAfter !== undefined ? M.timeoutTitle({ peer, interval, timeout: closedAfter }) : M.lostTitle({ peer, lost, sent: d.sent }),
        evidence: ev,
        fix: [
          {
            summary:
              closedAfter !== undefined
                ? M.beatFaster({ timeout: closedAfter, suggest: Math.max(1, Math.floor(closedAfter / 2)), everySec: d.everySec })
                : M.checkHandler({ lost, sent: d.sent, expect: d.expect }),
          },
        ],
      });
    }
    return null;
  },
};
