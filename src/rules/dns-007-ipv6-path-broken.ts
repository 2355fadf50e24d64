import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { said } from './helpers.js';
import { echoLossy } from '../model/observation.js';

export const meta: RuleMeta = {
  code: 'DNS-007',
  slug: 'ipv6-path-broken',
  layer: 'dns',
  severity: 'error',
  title: { en: '{name} has IPv6 addresses, but the IPv6 path fails while IPv4 works', zh: 'IPv6路径不通：{name} 有 IPv6 地址，但 IPv6 连接失败而 IPv4 正常' },
  explanation: {
    en: 'The name has AAAA records and programs try IPv6 first, but a connect to {v6} ended with "{outcome}" while {v4} over IPv4 is open. Clients wait for the IPv6 attempt to fail (or hang) before they fall back, if they fall back at all.',
    zh: '该域名有 AAAA 记录，程序会优先尝试 IPv6，但连接 {v6} 的结果是"{outcome}"，而通过 IPv4 连接 {v4} 正常。客户端要等 IPv6 尝试失败（或卡住）后才回退到 IPv4，有的程序根本不回退。',
  },
  evidence: { en: 'The AAAA answers and the connect result per address family.', zh: 'AAAA 应答以及每个地址族的连接结果。' },
  fix: [
    { summary: { en: 'Repair the IPv6 path (route, firewall, router advertisements) so that {v6} is reachable', zh: '修复 IPv6 路径（路由、防火墙、路由通告），使 {v6} 可达' } },
    { summary: { en: 'Meanwhile prefer IPv4 for getaddrinfo on this machine', zh: '在修复之前，让本机 getaddrinfo 优先使用 IPv4' }, command: "echo 'precedence ::ffff:0:0/96  100' >> /etc/gai.conf" },
  ],
  explains: ['TCP-002', 'TCP-003', 'TLS-009'],
};

const M = defineMessages('DNS-007', {
  /** The meta's explanation with the probe's outcome word in the reader's language. */
  outcomeExplanation: msg(
    (p: { v6: string; v4: string; outcome: string }) =>
      `The name has AAAA records and programs try IPv6 first, but a connect to ${p.v6} ended with "${p.outcome}" while ${p.v4} over IPv4 is open. Clients wait for the IPv6 attempt to fail (or hang) before they fall back, if they fall back at all.`,
    (p) =>
      `该域名有 AAAA 记录，程序会优先尝试 IPv6，但连接 ${p.v6} 的结果是"${said('zh', p.outcome)}"，而通过 IPv4 连接 ${p.v4} 正常。客户端要等 IPv6 尝试失败（或卡住）后才回退到 IPv4，有的程序根本不回退。`,
  ),
  aaaa: msg(
    (p: { name: string; addresses: string[] }) => `AAAA ${p.name}: ${p.addresses.join(', ')}`,
    (p) => `AAAA ${p.name}：${p.addresses.join(', ')}`,
  ),
  v6Failed: msg(
    (p: { dst: string; outcome: string; errno: string | null; ms: number }) => `IPv6 ${p.dst}: ${p.outcome}${p.errno ? ` (${p.errno})` : ''} after ${p.ms} ms`,
    (p) => `IPv6 ${p.dst}：${said('zh', p.outcome)}（${p.errno ? `${p.errno}，` : ''}${p.ms} 毫秒）`,
  ),
  v4Open: msg(
    (p: { dst: string; ms: number }) => `IPv4 ${p.dst}: open in ${p.ms} ms`,
    (p) => `IPv4 ${p.dst}：${p.ms} 毫秒内连接成功`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const aaaa = [
      ...ofKind(ctx.observations, 'dns.query')
        .filter((q) => q.data.qtype === 'AAAA')
        .flatMap((q) => q.data.answers.map((a) => a.address)),
      ...ofKind(ctx.observations, 'dns.system').flatMap((s) => s.data.addresses.filter((a) => a.family === 6).map((a) => a.address)),
    ];
    if (aaaa.length === 0) return null;
    const conns = ofKind(ctx.observations, 'tcp.connect');
    const v6 = conns.find((c) => c.data.family === 6 && c.data.outcome !== 'open');
    const v4 = conns.find((c) => c.data.family === 4 && c.data.outcome === 'open');
    if (!v6 || !v4) return null;
    if (conns.some((c) => c.data.family === 6 && c.data.outcome === 'open')) return null;
    // A timed-out connect on a path to this server that does carry packets, only not all of them,
    // is loss (NET-007), not a broken IPv6 path: a SYN lost twice looks the same.
    if (v6.data.outcome === 'filtered' && lossyNotBroken(ctx.observations)) return null;
    const fmt = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
    const vars = { name: ctx.target.host, v6: fmt(v6.data.address, v6.data.port), v4: fmt(v4.data.address, v4.data.port), outcome: v6.data.outcome };
    return makeFinding(meta, ctx, {
      vars,
      explanation: M.outcomeExplanation(vars),
      evidence: [
        evidence('dns.query', M.aaaa({ name: ctx.target.host, addresses: [...new Set(aaaa)] }), { aaaa: [...new Set(aaaa)] }),
        evidence('tcp.connect', M.v6Failed({ dst: vars.v6, outcome: v6.data.outcome, errno: v6.data.errno ?? null, ms: Math.round(v6.data.ms) }), {
          address: v6.data.address,
          port: v6.data.port,
          outcome: v6.data.outcome,
        }),
        evidence('tcp.connect', M.v4Open({ dst: vars.v4, ms: Math.round(v4.data.ms) }), { address: v4.data.address, port: v4.data.port, outcome: v4.data.outcome }),
      ],
    });
  },
};

/**
 * Whether the timed-out IPv6 connect is better explained by loss: the path to the target (either
 * family: the same server, the same links) answers some echoes but not all, or a trace reached it
 * and saw loss at its end.
 */
function lossyNotBroken(obs: Parameters<Rule['check']>[0]['observations']): boolean {
  if (echoLossy(obs)) return true;
  return ofKind(obs, 'trace.path').some((t) => t.data.paths.some((p) => p.reached && (p.hops[p.hops.length - 1]?.lossPct ?? 0) > 0));
}
