import { firstWith, serverLabel } from './tls-classify.js';
import { formatHostPort } from '../model/target.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-009',
  slug: 'handshake-stall',
  layer: 'tls',
  severity: 'error',
  title: { en: 'The TLS handshake with {server} gets no answer', zh: '与 {server} 的 TLS握手无响应' },
  explanation: {
    en: 'TCP connects to {server}, but no ServerHello came back within {ms} ms after the ClientHello. Small packets pass and the larger handshake packets are lost: the cause is usually below TLS, a path MTU blackhole first (NET-009), then a middlebox that drops TLS, or a server that accepts connections but never serves them.',
    zh: 'TCP 已连接到 {server}，但发送 ClientHello 后 {ms} 毫秒内没有收到 ServerHello。小报文能通过而较大的握手报文丢失：原因通常在 TLS 之下，首先是路径 MTU 黑洞（NET-009），其次是丢弃 TLS 流量的中间设备，或只 accept 连接却不处理的服务器。',
  },
  evidence: { en: 'The TCP connect time and the handshake that waited for the ServerHello until its budget ran out.', zh: 'TCP 建连耗时，以及等待 ServerHello 直至超时的握手。' },
  fix: [
    {
      summary: {
        en: 'Check the path MTU to {address} (NET-009); if it is the cause, clamp the TCP MSS on the router',
        zh: '检查到 {address} 的路径 MTU（NET-009）；若确为原因，在路由器上钳制 TCP MSS',
      },
      command: 'iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    },
    { summary: { en: 'Otherwise check that the service on port {port} speaks TLS and is not hung', zh: '否则检查端口 {port} 上的服务是否为 TLS 服务、是否卡死' } },
  ],
  explains: ['APP-002'],
};

const M = defineMessages('TLS-009', {
  tcpOpen: msg(
    (p: { address: string; port: number; ms: number }) => `TCP ${formatHostPort(p.address, p.port)} open in ${p.ms} ms`,
    (p) => `TCP ${formatHostPort(p.address, p.port)} 在 ${p.ms} 毫秒内连接成功`,
  ),
  stall: msg(
    (p: { server: string; ms: number }) => `TLS ${p.server}: ClientHello sent, no ServerHello within ${p.ms} ms`,
    (p) => `TLS ${p.server}：已发送 ClientHello，${p.ms} 毫秒内未收到 ServerHello`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-009');
    if (!hit) return null;
    const { h } = hit;
    const tcp = ofKind(ctx.observations, 'tcp.connect').find((t) => t.data.address === h.address && t.data.port === h.port && t.data.outcome === 'open');
    const ev = [];
    if (tcp)
      ev.push(
        evidence('tcp.connect', M.tcpOpen({ address: h.address, port: h.port, ms: Math.round(tcp.data.ms) }), {
          address: h.address,
          port: h.port,
          ms: tcp.data.ms,
        }),
      );
    ev.push(
      evidence('tls.handshake', M.stall({ server: serverLabel(h), ms: Math.round(h.ms) }), {
        address: h.address,
        port: h.port,
        sni: h.sni,
        ms: h.ms,
        outcome: h.outcome,
      }),
    );
    return makeFinding(meta, ctx, { vars: { server: serverLabel(h), ms: Math.round(h.ms), address: h.address, port: h.port }, evidence: ev });
  },
};
