import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, metaFix, ofKind, ruleMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'DNS-003',
  slug: 'resolver-error',
  layer: 'dns',
  severity: 'error',
  title: { en: 'The DNS resolvers answer {rcodes} for {name}', zh: 'DNS服务器返回错误：解析 {name} 得到 {rcodes}' },
  explanation: {
    en: 'The resolvers are reachable, but none gives a usable answer for {name}: SERVFAIL means the resolver could not resolve the zone (broken delegation, DNSSEC validation failure, unreachable authoritative servers); REFUSED means it does not serve this client.',
    zh: '解析服务器可以连通，但没有一个对 {name} 给出可用的应答：SERVFAIL 表示服务器无法解析该区域（委派错误、DNSSEC 校验失败或权威服务器不可达）；REFUSED 表示该服务器拒绝为本客户端提供服务。',
  },
  evidence: { en: 'The rcode per resolver and query type.', zh: '每个解析服务器、每种查询类型的 rcode。' },
  fix: [
    { summary: { en: 'REFUSED: use a resolver that allows recursion for this network', zh: 'REFUSED：改用允许本网络递归查询的解析服务器' } },
    { summary: { en: 'SERVFAIL: check the zone’s delegation and DNSSEC signatures (ask its DNS administrator), or the resolver’s upstream', zh: 'SERVFAIL：检查该区域的委派与 DNSSEC 签名（联系 DNS 管理员），或检查解析服务器的上游' } },
  ],
  implemented: true,
  issue: 4,
  messages: {
    server: { en: '{server}: {answers}', zh: '{server}：{answers}' },
  },
};

const m = ruleMessages(meta);

const ERRORS = new Set(['SERVFAIL', 'REFUSED']);

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const answered = ofKind(ctx.observations, 'dns.query').filter((q) => q.data.outcome === 'answer');
    const failing = answered.filter((q) => ERRORS.has(q.data.rcode ?? ''));
    // None usable: every answer is an error rcode (timeouts of other servers do not help).
    if (failing.length === 0 || failing.length !== answered.length) return null;
    const sys = ofKind(ctx.observations, 'dns.system')[0];
    if (sys && sys.data.addresses.length > 0) return null;
    const rcodes = [...new Set(failing.map((q) => q.data.rcode!))];
    const only = (rc: string) => rcodes.length === 1 && rcodes[0] === rc;
    const fix = only('REFUSED') ? [0] : only('SERVFAIL') ? [1] : meta.fix.map((_, i) => i);
    const servers = [...new Set(failing.map((q) => q.data.server))];
    return makeFinding(meta, ctx, {
      vars: { name: failing[0]!.data.name, rcodes: rcodes.join('/') },
      evidence: servers.map((s) =>
        evidence('dns.query', m('server', { server: s, answers: failing.filter((q) => q.data.server === s).map((q) => `${q.data.qtype} ${q.data.rcode}`) }), {
          server: s,
          rcodes: failing.filter((q) => q.data.server === s).map((q) => ({ qtype: q.data.qtype, rcode: q.data.rcode })),
        }),
      ),
      fix: fix.map((i) => metaFix(meta, i)),
    });
  },
};
