import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { sameIp, said, tr } from './helpers.js';

export const meta: RuleMeta = {
  code: 'DNS-001',
  slug: 'resolver-unreachable',
  layer: 'dns',
  severity: 'error',
  title: { en: 'No configured DNS resolver answers ({servers})', zh: 'DNS服务器不可达：所有配置的解析服务器（{servers}）均无应答' },
  explanation: {
    en: 'Every query to every resolver in {source} ended without any answer (timeout or unreachable), so {name} cannot be resolved. A common cause is a hard-coded public resolver that the local network blocks, or a resolver address from another network.',
    zh: '发往 {source} 中每个解析服务器的每个查询都没有任何应答（超时或不可达），因此无法解析 {name}。常见原因是写死了一个被本地网络封锁的公共 DNS，或使用了其他网络的 DNS 地址。',
  },
  evidence: {
    en: 'The resolvers from resolv.conf and, per server, the outcome and time of each query; the system resolver’s error.',
    zh: 'resolv.conf 中的解析服务器，以及每个服务器每次查询的结果与耗时；系统解析器返回的错误。',
  },
  fix: [
    {
      summary: {
        en: 'Configure a resolver that is reachable from this network in {source} (or in systemd-resolved / NetworkManager), e.g. the one the DHCP lease offers',
        zh: '在 {source}（或 systemd-resolved / NetworkManager）中配置一个本网络可达的解析服务器，例如 DHCP 下发的那个',
      },
    },
    { summary: { en: 'Show the resolvers the network offers per interface', zh: '查看各网卡上网络下发的解析服务器' }, command: 'resolvectl dns' },
  ],
};

const DEAD = new Set(['timeout', 'unreachable']);

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const sys = ofKind(ctx.observations, 'dns.system')[0];
    if (!sys || sys.data.error === null || sys.data.addresses.length > 0) return null;
    const queries = ofKind(ctx.observations, 'dns.query');
    if (queries.length === 0) return null;
    const cfg = ofKind(ctx.observations, 'dns.config')[0];
    const servers = cfg && cfg.data.nameservers.length > 0 ? cfg.data.nameservers : [...new Set(queries.map((q) => q.data.server))];
    const per = servers.map((s) => ({ server: s, qs: queries.filter((q) => sameIp(q.data.server, s)) }));
    // Every configured server must have been asked, and none may have answered anything.
    if (per.some((p) => p.qs.length === 0)) return null;
    if (!per.every((p) => p.qs.every((q) => DEAD.has(q.data.outcome)))) return null;
    return makeFinding(meta, ctx, {
      vars: { servers: servers.join(', '), source: cfg?.data.source ?? '/etc/resolv.conf', name: ctx.target.host },
      evidence: [
        ...(cfg
          ? [
              evidence(
                'dns.config',
                tr(
                  ctx.lang,
                  `${cfg.data.source}: nameserver ${cfg.data.nameservers.join(', ')} (timeout ${cfg.data.timeoutSec} s, attempts ${cfg.data.attempts})`,
                  `${cfg.data.source}：nameserver ${cfg.data.nameservers.join(', ')}（超时 ${cfg.data.timeoutSec} 秒，重试 ${cfg.data.attempts} 次）`,
                ),
                {
                  nameservers: cfg.data.nameservers,
                  timeoutSec: cfg.data.timeoutSec,
                  attempts: cfg.data.attempts,
                },
              ),
            ]
          : []),
        ...per.map((p) =>
          evidence(
            'dns.query',
            tr(
              ctx.lang,
              `${p.server}: ${p.qs.map((q) => `${q.data.qtype} ${q.data.outcome} after ${Math.round(q.data.ms)} ms`).join(', ')}`,
              `${p.server}：${p.qs.map((q) => `${q.data.qtype} ${said(ctx.lang, q.data.outcome)}（${Math.round(q.data.ms)} 毫秒）`).join('，')}`,
            ),
            {
              server: p.server,
              outcomes: p.qs.map((q) => ({ qtype: q.data.qtype, outcome: q.data.outcome, ms: q.data.ms, error: q.data.error })),
            },
          ),
        ),
        evidence('dns.system', tr(ctx.lang, `getaddrinfo(${sys.data.name}): ${sys.data.error}`, `getaddrinfo(${sys.data.name})：${sys.data.error}`), {
          name: sys.data.name,
          error: sys.data.error,
        }),
      ],
    });
  },
};
