import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';

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
      const zh = ctx.lang === 'zh';
      const ev = [
        evidence(
          'app.heartbeat',
          zh
            ? `每 ${d.everySec} 秒经 ${d.tls ? 'TLS' : 'TCP'} 发送心跳 "${d.send}"，共 ${d.sent} 个，${d.answered} 个收到回复 "${d.expect}"；回复耗时 ${d.beats.map((b) => (b.replyMs === null ? '丢失' : `${b.replyMs} 毫秒`)).join('，')}`
            : `${d.sent} heartbeat(s) '${d.send}' sent every ${d.everySec} s over ${d.tls ? 'TLS' : 'TCP'}, ${d.answered} answered with '${d.expect}'; reply times ${d.beats.map((b) => (b.replyMs === null ? 'lost' : `${b.replyMs} ms`)).join(', ')}`,
          { beats: d.beats },
        ),
      ];
      if (d.peerClosed)
        ev.push(
          evidence(
            'app.heartbeat',
            zh
              ? `对端在最后一个心跳之后 ${d.peerClosed.afterIdleSec} 秒${d.peerClosed.event === 'rst' ? '重置' : '关闭'}了会话（其空闲超时约为该值）`
              : `the peer ${d.peerClosed.event === 'rst' ? 'reset' : 'closed'} the session ${d.peerClosed.afterIdleSec} s after the last heartbeat (its idle timeout is about that)`,
            { peerClosed: d.peerClosed },
          ),
        );
      const fix = d.peerClosed
        ? [
            {
              summary: zh
                ? `把心跳间隔（当前 ${d.everySec} 秒）设置为低于对端超时（约 ${timeout} 秒），例如 ${Math.max(1, Math.floor(Number(timeout) / 2))} 秒；或在对端调大空闲超时`
                : `Send heartbeats more often than the peer's idle timeout (about ${timeout} s), e.g. every ${Math.max(1, Math.floor(Number(timeout) / 2))} s instead of ${d.everySec} s, or raise the timeout on the peer`,
            },
          ]
        : [
            {
              summary: zh
                ? `对端未回应 ${lost}/${d.sent} 个心跳：检查对端的心跳处理（期望回复 "${d.expect}"）及其日志`
                : `The peer left ${lost} of ${d.sent} heartbeats unanswered: check its heartbeat handler (expected reply '${d.expect}') and its log`,
            },
          ];
      return makeFinding(meta, ctx, {
        vars: { peer, interval, timeout },
        title: d.peerClosed
          ? zh
            ? `心跳异常：心跳间隔 ${interval} 秒超过对端 ${peer} 的空闲超时（约 ${timeout} 秒）`
            : `Heartbeats to ${peer} every ${interval} s exceed the peer's idle timeout (about ${timeout} s)`
          : zh
            ? `心跳异常：${peer} 未回应 ${lost}/${d.sent} 个心跳`
            : `${lost} of ${d.sent} heartbeats to ${peer} went unanswered`,
        evidence: ev,
        fix,
      });
    }
    return null;
  },
};
