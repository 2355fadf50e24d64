import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'DNS-002',
  slug: 'nxdomain',
  layer: 'dns',
  severity: 'error',
  title: { en: 'The name {name} does not exist (NXDOMAIN)', zh: '域名不存在：{name}（NXDOMAIN）' },
  explanation: {
    en: 'Every resolver that answered says {name} does not exist (NXDOMAIN), no /etc/hosts line names it and the system resolver found nothing either. The name is misspelt, or its zone does not publish it (yet).',
    zh: '所有给出应答的解析服务器都表示 {name} 不存在（NXDOMAIN），/etc/hosts 中也没有该名称，系统解析器同样查不到。可能是域名拼写错误，或者所在区域（尚未）发布该记录。',
  },
  evidence: { en: 'The rcode of every resolver’s answer, the hosts file lookup and the system resolver’s result.', zh: '每个解析服务器应答的 rcode、hosts 文件的查找结果以及系统解析器的结果。' },
  fix: [
    { summary: { en: 'Check the spelling of {name}', zh: '检查 {name} 的拼写' } },
    {
      summary: {
        en: 'Check that the zone publishes {name} (ask its DNS administrator; a new record may not have propagated yet)',
        zh: '确认该域名所在区域已发布 {name}（联系 DNS 管理员；新记录可能尚未生效）',
      },
    },
  ],
};

const M = defineMessages('DNS-002', {
  /** One server's NXDOMAIN answers, index for index: record type and name. */
  nxdomain: msg(
    (p: { server: string; qtypes: string[]; names: string[] }) => `${p.server}: ${p.qtypes.map((t, i) => `${t} ${p.names[i]} → NXDOMAIN`).join(', ')}`,
    (p) => `${p.server}：${p.qtypes.map((t, i) => `${t} ${p.names[i]} → NXDOMAIN`).join(', ')}`,
  ),
  system: msg(
    (p: { name: string; error: string | null }) => `getaddrinfo(${p.name}): ${p.error ?? 'no address'}`,
    (p) => `getaddrinfo(${p.name})：${p.error ?? '无地址'}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const answered = ofKind(ctx.observations, 'dns.query').filter((q) => q.data.outcome === 'answer');
    if (answered.length === 0 || !answered.every((q) => q.data.rcode === 'NXDOMAIN')) return null;
    if (ofKind(ctx.observations, 'dns.hosts').some((h) => h.data.matches.length > 0)) return null;
    const sys = ofKind(ctx.observations, 'dns.system')[0];
    if (sys && sys.data.addresses.length > 0) return null;
    const servers = [...new Set(answered.map((q) => q.data.server))];
    return makeFinding(meta, ctx, {
      vars: { name: answered[0]!.data.name },
      evidence: [
        ...servers.map((s) => {
          const qs = answered.filter((q) => q.data.server === s);
          return evidence('dns.query', M.nxdomain({ server: s, qtypes: qs.map((q) => q.data.qtype), names: qs.map((q) => q.data.name) }), { server: s, rcode: 'NXDOMAIN' });
        }),
        ...(sys
          ? [
              evidence('dns.system', M.system({ name: sys.data.name, error: sys.data.error }), {
                name: sys.data.name,
                error: sys.data.error,
              }),
            ]
          : []),
      ],
    });
  },
};
