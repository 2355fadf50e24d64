import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { sameIp, said } from './helpers.js';

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

const M = defineMessages('DNS-001', {
  config: msg(
    (p: { source: string; nameservers: string[]; timeoutSec: number; attempts: number }) => `${p.source}: nameserver ${p.nameservers.join(', ')} (timeout ${p.timeoutSec} s, attempts ${p.attempts})`,
    (p) => `${p.source}：nameserver ${p.nameservers.join('、')}（超时 ${p.timeoutSec} 秒，重试 ${p.attempts} 次）`,
  ),
  /** One server's queries, index for index: record type, outcome, time. */
  serverQueries: msg(
    (p: { server: string; qtypes: string[]; outcomes: string[]; ms: number[] }) => `${p.server}: ${p.qtypes.map((t, i) => `${t} ${p.outcomes[i]} after ${p.ms[i]} ms`).join(', ')}`,
    (p) => `${p.server}：${p.qtypes.map((t, i) => `${t} ${said('zh', p.outcomes[i] ?? '')}（${p.ms[i]} 毫秒）`).join('，')}`,
  ),
  system: msg(
    (p: { name: string; error: string | null }) => `getaddrinfo(${p.name}): ${p.error}`,
    (p) => `getaddrinfo(${p.name})：${p.error}`,
  ),
});

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
              evidence('dns.config', M.config({ source: cfg.data.source, nameservers: cfg.data.nameservers, timeoutSec: cfg.data.timeoutSec, attempts: cfg.data.attempts }), {
                nameservers: cfg.data.nameservers,
                timeoutSec: cfg.data.timeoutSec,
                attempts: cfg.data.attempts,
              }),
            ]
          : []),
        ...per.map((p) =>
          evidence(
            'dns.query',
            M.serverQueries({
              server: p.server,
              qtypes: p.qs.map((q) => q.data.qtype),
              outcomes: p.qs.map((q) => q.data.outcome),
              ms: p.qs.map((q) => Math.round(q.data.ms)),
            }),
            {
              server: p.server,
              outcomes: p.qs.map((q) => ({ qtype: q.data.qtype, outcome: q.data.outcome, ms: q.data.ms, error: q.data.error })),
            },
          ),
        ),
        evidence('dns.system', M.system({ name: sys.data.name, error: sys.data.error }), {
          name: sys.data.name,
          error: sys.data.error,
        }),
      ],
    });
  },
};
