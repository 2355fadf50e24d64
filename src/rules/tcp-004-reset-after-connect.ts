import { tr } from './helpers.js';
import { hostPort } from './tcp-common.js';
import { classifyHandshake } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';

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

export const rule: Rule = {
  meta,
  check(ctx) {
    const ev = (what: 'rst' | 'fin'): string => (what === 'rst' ? tr(ctx.lang, 'reset', '重置') : tr(ctx.lang, 'closed', '关闭'));
    for (const o of ofKind(ctx.observations, 'tcp.connect')) {
      const d = o.data;
      const after = d.after;
      if (d.outcome === 'open' && after && (after.event === 'rst' || after.event === 'fin') && (after.bytes ?? 0) === 0 && after.ms <= SHORT_MS) {
        return makeFinding(meta, ctx, {
          vars: { address: d.address, port: d.port, event: ev(after.event), ms: Math.round(after.ms) },
          evidence: [
            evidence(
              'tcp.connect',
              tr(
                ctx.lang,
                `TCP ${hostPort(d.address, d.port)}: handshake done in ${Math.round(d.ms)} ms, then ${after.event.toUpperCase()} ${Math.round(after.ms)} ms later with 0 bytes received`,
                `TCP ${hostPort(d.address, d.port)}：${Math.round(d.ms)} 毫秒完成握手，${Math.round(after.ms)} 毫秒后收到 ${after.event.toUpperCase()}，未收到任何数据`,
              ),
              {
                address: d.address,
                port: d.port,
                connectMs: d.ms,
                after: { ...after },
              },
            ),
          ],
        });
      }
      if (d.outcome === 'reset' || d.outcome === 'closed') {
        const what = d.outcome === 'reset' ? 'rst' : 'fin';
        return makeFinding(meta, ctx, {
          vars: { address: d.address, port: d.port, event: ev(what), ms: Math.round(d.ms) },
          evidence: [
            evidence(
              'tcp.connect',
              tr(
                ctx.lang,
                `TCP ${hostPort(d.address, d.port)}: ${d.outcome} right after the handshake (${Math.round(d.ms)} ms)${d.errno ? `, ${d.errno}` : ''}`,
                `TCP ${hostPort(d.address, d.port)}：握手后连接立即${d.outcome === 'reset' ? '被重置（RST）' : '被关闭（FIN）'}（${Math.round(d.ms)} 毫秒）${d.errno ? `，${d.errno}` : ''}`,
              ),
              {
                address: d.address,
                port: d.port,
                outcome: d.outcome,
                ms: d.ms,
              },
            ),
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
        vars: { address: h.address, port: h.port, event: ev(what), ms: Math.round(h.ms) },
        evidence: [
          // A FIN is a close, not a reset, whatever node's error code (ECONNRESET "disconnected before secure TLS connection").
          evidence(
            'tls.handshake',
            tr(
              ctx.lang,
              `TLS ${hostPort(h.address, h.port)}${h.sni ? ` (SNI ${h.sni})` : ''}: ${h.outcome === 'reset' ? `connection reset by the peer (RST) right after the ClientHello, no TLS answer${h.errorCode ? ` (${h.errorCode})` : ''}` : 'connection closed by the peer (FIN) right after the ClientHello, no TLS answer'}`,
              `TLS ${hostPort(h.address, h.port)}${h.sni ? `（SNI ${h.sni}）` : ''}：发送 ClientHello 后连接立即被对端${h.outcome === 'reset' ? `重置（RST），没有任何 TLS 应答${h.errorCode ? `（${h.errorCode}）` : ''}` : '关闭（FIN），没有任何 TLS 应答'}`,
            ),
            {
              address: h.address,
              port: h.port,
              sni: h.sni,
              outcome: h.outcome,
              errorCode: h.errorCode,
            },
          ),
        ],
      });
    }
    return null;
  },
};
