import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { tr } from './helpers.js';

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
        ...servers.map((s) =>
          evidence(
            'dns.query',
            `${s}${tr(ctx.lang, ': ', '：')}${answered
              .filter((q) => q.data.server === s)
              .map((q) => `${q.data.qtype} ${q.data.name} → NXDOMAIN`)
              .join(', ')}`,
            { server: s, rcode: 'NXDOMAIN' },
          ),
        ),
        ...(sys
          ? [
              evidence('dns.system', tr(ctx.lang, `getaddrinfo(${sys.data.name}): ${sys.data.error ?? 'no address'}`, `getaddrinfo(${sys.data.name})：${sys.data.error ?? '无地址'}`), {
                name: sys.data.name,
                error: sys.data.error,
              }),
            ]
          : []),
      ],
    });
  },
};
