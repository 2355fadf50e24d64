import { hostPort } from './tcp-common.js';
import { formatHostPort } from '../model/target.js';
import { classifyHandshake } from './tls-classify.js';
import type { Message, Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

/** A close later than this after the handshake is an idle timeout, not a refusal (ms). */
export const SHORT_MS = 3000;

export const meta: RuleMeta = {
  code: 'TCP-004',
  slug: 'reset-after-connect',
  layer: 'transport',
  severity: 'error',
  title: { en: '{address}:{port} closes the connection right after the handshake', zh: '{address}:{port} 握手后被重置' },
  explanation: {
    en: 'The TCP handshake with {address}:{port} completes, but the peer or a middlebox {event} the connection {ms} ms later, before any application data. Typical causes: the server refuses this client at accept time (IP allow-list, tcp_wrappers, connection limit), a proxy or load balancer with no healthy backend, or a firewall that resets the flow after inspecting the first packet.',
    zh: '与 {address}:{port} 的 TCP 握手已完成，但在任何应用数据之前，对端或中间设备在 {ms} 毫秒后{event}了连接。常见原因：服务器在 accept 时拒绝该客户端（IP 白名单、tcp_wrappers、连接数限制），代理/负载均衡没有健康的后端，或防火墙在检查首个报文后重置连接。',
  },
  evidence: {
    en: 'The handshake time and the RST/FIN that followed, with its delay and the bytes received before it (none).',
    zh: '握手耗时，随后到来的 RST/FIN 及其延迟，以及此前收到的字节数（为零）。',
  },
  fix: [
    {
      summary: {
        en: "Check the server's (or load balancer's) log and access rules for connections from this client to port {port}",
        zh: '检查服务器（或负载均衡）对本客户端连接端口 {port} 的日志和访问控制规则',
      },
    },
  ],
  explains: ['TLS-009', 'APP-001', 'APP-002'],
};

const M = defineMessages('TCP-004', {
  /** The meta's explanation with {event} (a reset, else a close) told in each language. */
  closedWhy: msg(
    (p: { address: string; port: number; reset: boolean; ms: number }) =>
      `The TCP handshake with ${formatHostPort(p.address, p.port)} completes, but the peer or a middlebox ${p.reset ? 'reset' : 'closed'} the connection ${p.ms} ms later, before any application data. Typical causes: the server refuses this client at accept time (IP allow-list, tcp_wrappers, connection limit), a proxy or load balancer with no healthy backend, or a firewall that resets the flow after inspecting the first packet.`,
    (p) =>
      `与 ${formatHostPort(p.address, p.port)} 的 TCP 握手已完成，但在任何应用数据之前，对端或中间设备在 ${p.ms} 毫秒后${p.reset ? '重置' : '关闭'}了连接。常见原因：服务器在 accept 时拒绝该客户端（IP 白名单、tcp_wrappers、连接数限制），代理/负载均衡没有健康的后端，或防火墙在检查首个报文后重置连接。`,
  ),
  closedAfter: msg(
    (p: { dst: string; connectMs: number; event: string; ms: number }) => `TCP ${p.dst}: handshake done in ${p.connectMs} ms, then ${p.event} ${p.ms} ms later with 0 bytes received`,
    (p) => `TCP ${p.dst}：${p.connectMs} 毫秒完成握手，${p.ms} 毫秒后收到 ${p.event}，未收到任何数据`,
  ),
  closedRightAfter: msg(
    (p: { dst: string; outcome: string; ms: number; errno: string | null }) => `TCP ${p.dst}: ${p.outcome} right after the handshake (${p.ms} ms)${p.errno ? `, ${p.errno}` : ''}`,
    (p) => `TCP ${p.dst}：握手后连接立即${p.outcome === 'reset' ? '被重置（RST）' : '被关闭（FIN）'}（${p.ms} 毫秒）${p.errno ? `，${p.errno}` : ''}`,
  ),
  closedAfterHello: msg(
    (p: { dst: string; sni: string | null; reset: boolean; errorCode: string | null }) =>
      `TLS ${p.dst}${p.sni ? ` (SNI ${p.sni})` : ''}: ${p.reset ? `connection reset by the peer (RST) right after the ClientHello, no TLS answer${p.errorCode ? ` (${p.errorCode})` : ''}` : 'connection closed by the peer (FIN) right after the ClientHello, no TLS answer'}`,
    (p) =>
      `TLS ${p.dst}${p.sni ? `（SNI ${p.sni}）` : ''}：发送 ClientHello 后连接立即被对端${p.reset ? `重置（RST），没有任何 TLS 应答${p.errorCode ? `（${p.errorCode}）` : ''}` : '关闭（FIN），没有任何 TLS 应答'}`,
  ),
});

/** The explanation for a close `ms` after the handshake (rst: a reset, fin: a close). */
const closedWhy = (address: string, port: number, what: 'rst' | 'fin', ms: number): Message => M.closedWhy({ address, port, reset: what === 'rst', ms });

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const o of ofKind(ctx.observations, 'tcp.connect')) {
      const d = o.data;
      const after = d.after;
      if (d.outcome === 'open' && after && (after.event === 'rst' || after.event === 'fin') && (after.bytes ?? 0) === 0 && after.ms <= SHORT_MS) {
        return makeFinding(meta, ctx, {
          vars: { address: d.address, port: d.port, ms: Math.round(after.ms) },
          explanation: closedWhy(d.address, d.port, after.event, Math.round(after.ms)),
          evidence: [
            evidence('tcp.connect', M.closedAfter({ dst: hostPort(d.address, d.port), connectMs: Math.round(d.ms), event: after.event.toUpperCase(), ms: Math.round(after.ms) }), {
              address: d.address,
              port: d.port,
              connectMs: d.ms,
              after: { ...after },
            }),
          ],
        });
      }
      if (d.outcome === 'reset' || d.outcome === 'closed') {
        const what = d.outcome === 'reset' ? 'rst' : 'fin';
        return makeFinding(meta, ctx, {
          vars: { address: d.address, port: d.port, ms: Math.round(d.ms) },
          explanation: closedWhy(d.address, d.port, what, Math.round(d.ms)),
          evidence: [
            evidence('tcp.connect', M.closedRightAfter({ dst: hostPort(d.address, d.port), outcome: d.outcome, ms: Math.round(d.ms), errno: d.errno ?? null }), {
              address: d.address,
              port: d.port,
              outcome: d.outcome,
              ms: d.ms,
            }),
          ],
        });
      }
    }
    // The peer (or a middlebox) closes as soon as the TLS ClientHello arrives, with no TLS answer.
    const versions = ofKind(ctx.observations, 'tls.versions');
    for (const o of ofKind(ctx.observations, 'tls.handshake')) {
      const h = o.data;
      if (h.outcome !== 'reset' && h.outcome !== 'closed') continue;
      const v = versions.find((x) => x.data.address === h.address && x.data.port === h.port)?.data ?? null;
      if (classifyHandshake(h, { now: ctx.now, ca: ctx.options.ca, versions: v })) continue; // a TLS code owns it
      const what = h.outcome === 'reset' ? 'rst' : 'fin';
      return makeFinding(meta, ctx, {
        vars: { address: h.address, port: h.port, ms: Math.round(h.ms) },
        explanation: closedWhy(h.address, h.port, what, Math.round(h.ms)),
        evidence: [
          // A FIN is a close, not a reset, whatever node's error code (ECONNRESET "disconnected before secure TLS connection").
          evidence('tls.handshake', M.closedAfterHello({ dst: hostPort(h.address, h.port), sni: h.sni ?? null, reset: h.outcome === 'reset', errorCode: h.errorCode ?? null }), {
            address: h.address,
            port: h.port,
            sni: h.sni,
            outcome: h.outcome,
            errorCode: h.errorCode,
          }),
        ],
      });
    }
    return null;
  },
};
