import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind, ruleMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'APP-001',
  slug: 'heartbeat-lost',
  layer: 'app',
  severity: 'error',
  title: { en: 'Heartbeats to {peer} go unanswered or come every {interval} s, above the peer’s timeout of {timeout} s', zh: '心跳异常：发往 {peer} 的心跳无回应，或间隔 {interval} 秒超过对端超时 {timeout} 秒' },
  explanation: {
    en: 'The application sends heartbeats, but the peer does not answer them, or the interval between them exceeds the time after which the peer declares the session dead; the session drops although the network is fine.',
    zh: '应用发送了心跳，但对端没有回应，或者心跳间隔超过了对端判定会话失效的时间；即使网络正常，会话也会断开。',
  },
  evidence: { en: 'Heartbeat send and receive times.', zh: '心跳的发送与接收时间。' },
  fix: [
    { summary: { en: 'Set the heartbeat interval below the peer’s timeout ({timeout} s), or raise the timeout on the peer', zh: '把心跳间隔设置为低于对端超时（{timeout} 秒），或者在对端调大超时' } },
  ],
  implemented: true,
  issue: 5,
  messages: {
    beats: { en: "{sent} heartbeat(s) '{send}' sent every {every} s over {proto}, {answered} answered with '{expect}'; reply times {times}", zh: "每 {every} 秒经 {proto} 发送心跳 '{send}'，共 {sent} 个，{answered} 个收到回复 '{expect}'；回复耗时 {times}" },
    lost: { en: 'lost', zh: '丢失' },
    ms: { en: '{ms} ms', zh: '{ms} 毫秒' },
    peerClosed: { en: 'the peer {event} the session {sec} s after the last heartbeat (its idle timeout is about that)', zh: '对端在最后一个心跳之后 {sec} 秒{event}了会话（其空闲超时约为该值）' },
    reset: { en: 'reset', zh: '重置' },
    closed: { en: 'closed', zh: '关闭' },
    fixInterval: { en: "Send heartbeats more often than the peer's idle timeout (about {timeout} s), e.g. every {suggest} s instead of {every} s, or raise the timeout on the peer", zh: '把心跳间隔（当前 {every} 秒）设置为低于对端超时（约 {timeout} 秒），例如 {suggest} 秒；或在对端调大空闲超时' },
    fixHandler: { en: "The peer left {lost} of {sent} heartbeats unanswered: check its heartbeat handler (expected reply '{expect}') and its log", zh: "对端未回应 {lost}/{sent} 个心跳：检查对端的心跳处理（期望回复 '{expect}'）及其日志" },
    titleTimeout: { en: "Heartbeats to {peer} every {interval} s exceed the peer's idle timeout (about {timeout} s)", zh: '心跳异常：心跳间隔 {interval} 秒超过对端 {peer} 的空闲超时（约 {timeout} 秒）' },
    titleLost: { en: '{lost} of {sent} heartbeats to {peer} went unanswered', zh: '心跳异常：{peer} 未回应 {lost}/{sent} 个心跳' },
  },
};

const m = ruleMessages(meta);

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
        evidence('app.heartbeat', m('beats', { sent: d.sent, send: d.send, every: d.everySec, proto: d.tls ? 'TLS' : 'TCP', answered: d.answered, expect: d.expect, times: d.beats.map((b) => (b.replyMs === null ? m('lost') : m('ms', { ms: b.replyMs }))) }), { beats: d.beats }),
      ];
      if (d.peerClosed) ev.push(evidence('app.heartbeat', m('peerClosed', { event: m(d.peerClosed.event === 'rst' ? 'reset' : 'closed'), sec: d.peerClosed.afterIdleSec }), { peerClosed: d.peerClosed }));
      const fix = d.peerClosed
        ? [{ summary: m('fixInterval', { timeout, suggest: Math.max(1, Math.floor(Number(timeout) / 2)), every: d.everySec }) }]
        : [{ summary: m('fixHandler', { lost, sent: d.sent, expect: d.expect }) }];
      return makeFinding(meta, ctx, {
        vars: { peer, interval, timeout },
        title: d.peerClosed
          ? m('titleTimeout', { peer, interval, timeout })
          : m('titleLost', { lost, sent: d.sent, peer }),
        evidence: ev,
        fix,
      });
    }
    return null;
  },
};
