import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { said, tr } from './helpers.js';
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
    return makeFinding(meta, ctx, {
      vars: { name: ctx.target.host, v6: fmt(v6.data.address, v6.data.port), v4: fmt(v4.data.address, v4.data.port), outcome: said(ctx.lang, v6.data.outcome) },
      evidence: [
        evidence('dns.query', `AAAA ${ctx.target.host}${tr(ctx.lang, ': ', '：')}${[...new Set(aaaa)].join(', ')}`, { aaaa: [...new Set(aaaa)] }),
        evidence(
          'tcp.connect',
          tr(
            ctx.lang,
            `IPv6 ${fmt(v6.data.address, v6.data.port)}: ${v6.data.outcome}${v6.data.errno ? ` (${v6.data.errno})` : ''} after ${Math.round(v6.data.ms)} ms`,
            `IPv6 ${fmt(v6.data.address, v6.data.port)}：${said(ctx.lang, v6.data.outcome)}（${v6.data.errno ? `${v6.data.errno}，` : ''}${Math.round(v6.data.ms)} 毫秒）`,
          ),
          {
            address: v6.data.address,
            port: v6.data.port,
            outcome: v6.data.outcome,
          },
        ),
        evidence(
          'tcp.connect',
          tr(ctx.lang, `IPv4 ${fmt(v4.data.address, v4.data.port)}: open in ${Math.round(v4.data.ms)} ms`, `IPv4 ${fmt(v4.data.address, v4.data.port)}：${Math.round(v4.data.ms)} 毫秒内连接成功`),
          { address: v4.data.address, port: v4.data.port, outcome: v4.data.outcome },
        ),
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
