import { sameIp } from './helpers.js';
import { formatHostPort } from '../model/target.js';
import { hostPort } from './tcp-common.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-002',
  slug: 'port-filtered',
  layer: 'transport',
  severity: 'error',
  title: { en: 'SYNs to {address}:{port} get no answer (filtered)', zh: '{address}:{port} SYN无响应，端口被防火墙丢弃' },
  explanation: {
    en: 'Connection attempts to {address}:{port} got no answer at all within {ms} ms: no SYN-ACK, no RST, no ICMP error, while the host itself is reachable. A firewall on the server or on the path silently drops the SYNs for this port.',
    zh: '在 {ms} 毫秒内，到 {address}:{port} 的连接请求没有任何回应：没有 SYN-ACK、没有 RST、也没有 ICMP 错误，而主机本身可达。服务器或路径上的防火墙静默丢弃了发往该端口的 SYN。',
  },
  evidence: {
    en: 'SYN timeouts to the port against proof that the host is alive (ICMP echo replies, or another port that connects).',
    zh: '该端口的 SYN 超时，以及主机存活的证据（ICMP 回显应答，或其他端口可以连接）。',
  },
  fix: [
    {
      summary: { en: 'On the server, allow TCP port {port} in its firewall (and in any firewall on the path)', zh: '在服务器防火墙（以及路径上的防火墙）中放行 TCP 端口 {port}' },
      command: '{iptables} -I INPUT -p tcp --dport {port} -j ACCEPT',
    },
  ],
  explains: ['TLS-009', 'TLS-010', 'APP-001', 'APP-002', 'NET-005'],
};

const M = defineMessages('TCP-002', {
  noAnswer: msg(
    (p: { dst: string; ms: number; attempts: number | null }) => `TCP ${p.dst}: no answer to the SYN within ${p.ms} ms${p.attempts && p.attempts > 1 ? ` (${p.attempts} attempts)` : ''}`,
    (p) => `TCP ${p.dst}：${p.ms} 毫秒内 SYN 无应答${p.attempts && p.attempts > 1 ? `（尝试 ${p.attempts} 次）` : ''}`,
  ),
  pingUp: msg(
    (p: { address: string; received: number; sent: number }) => `ping ${p.address}: ${p.received}/${p.sent} replies: the host is up`,
    (p) => `ping ${p.address}：收到 ${p.received}/${p.sent} 个应答：主机在线`,
  ),
  otherPort: msg(
    (p: { dst: string; open: boolean }) => `TCP ${p.dst}: ${p.open ? 'open' : 'refused (RST)'}: the host answers on other ports`,
    (p) => `TCP ${p.dst}：${p.open ? '开放' : '拒绝（RST）'}：主机在其他端口上有应答`,
  ),
  pingSilent: msg(
    (p: { address: string; sent: number }) => `ping ${p.address}: 0/${p.sent} replies`,
    (p) => `ping ${p.address}：收到 0/${p.sent} 个应答`,
  ),
  /** No proof the host is up: `ping` true when a ping went unanswered, false when nothing else was tried. */
  unprovenWhy: msg(
    (p: { address: string; port: number; ms: number; ping: boolean }) =>
      `Connection attempts to ${formatHostPort(p.address, p.port)} got no answer at all within ${p.ms} ms: no SYN-ACK, no RST, no ICMP error. Nothing shows that ${p.address} itself is up (${p.ping ? 'ping gets no reply either' : 'no ping or other port was answered'}), so a firewall dropping this port is the likely cause, but the host may also be down or the whole path blocked.`,
    (p) =>
      `在 ${p.ms} 毫秒内，到 ${formatHostPort(p.address, p.port)} 的连接请求没有任何回应：没有 SYN-ACK、没有 RST、也没有 ICMP 错误。没有证据表明 ${p.address} 本身在线（${p.ping ? 'ping 同样无应答' : '没有 ping 或其他端口的应答'}），因此最可能是防火墙丢弃了该端口的报文，但也可能是主机宕机或整条路径不通。`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const conns = ofKind(ctx.observations, 'tcp.connect');
    const hit = conns.find((o) => o.data.outcome === 'filtered');
    if (!hit) return null;
    const d = hit.data;
    const ev = [
      evidence('tcp.connect', M.noAnswer({ dst: hostPort(d.address, d.port), ms: Math.round(d.ms), attempts: d.attempts ?? null }), {
        address: d.address,
        port: d.port,
        outcome: d.outcome,
        ms: d.ms,
      }),
    ];
    // Proof that the host is alive: an echo reply, or another port that answered (open or RST).
    const echo = ofKind(ctx.observations, 'icmp.echo').find((e) => sameIp(e.data.address, d.address) && e.data.received > 0);
    const other = conns.find((c) => sameIp(c.data.address, d.address) && c.data.port !== d.port && (c.data.outcome === 'open' || c.data.outcome === 'refused'));
    if (echo)
      ev.push(evidence('icmp.echo', M.pingUp({ address: d.address, received: echo.data.received, sent: echo.data.sent }), { address: d.address, sent: echo.data.sent, received: echo.data.received }));
    if (other)
      ev.push(
        evidence('tcp.connect', M.otherPort({ dst: hostPort(other.data.address, other.data.port), open: other.data.outcome === 'open' }), {
          address: other.data.address,
          port: other.data.port,
          outcome: other.data.outcome,
        }),
      );
    const vars = { address: d.address, port: d.port, ms: Math.round(d.ms), iptables: d.family === 6 ? 'ip6tables' : 'iptables' };
    if (echo || other) return makeFinding(meta, ctx, { vars, evidence: ev });
    const silentPing = ofKind(ctx.observations, 'icmp.echo').find((e) => sameIp(e.data.address, d.address) && e.data.method !== 'unavailable' && e.data.sent > 0);
    if (silentPing)
      ev.push(
        evidence('icmp.echo', M.pingSilent({ address: d.address, sent: silentPing.data.sent }), {
          address: d.address,
          sent: silentPing.data.sent,
          received: 0,
        }),
      );
    return makeFinding(meta, ctx, {
      vars,
      evidence: ev,
      explanation: M.unprovenWhy({ address: d.address, port: d.port, ms: vars.ms, ping: !!silentPing }),
    });
  },
};
