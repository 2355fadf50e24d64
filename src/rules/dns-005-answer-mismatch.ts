import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import type { Evidence } from '../model/report.js';
import { canonicalIp, familyOf, tr } from './helpers.js';

export const meta: RuleMeta = {
  code: 'DNS-005',
  slug: 'answer-mismatch',
  layer: 'dns',
  severity: 'error',
  title: { en: 'DNS answers for {name} are not what they should be: {what}', zh: 'DNS解析结果异常/被污染：{name} {what}' },
  explanation: {
    en: 'Either the resolvers disagree completely about {name} (no address in common), or the address this machine resolves is not the one expected. A poisoned or stale cache, a hijacking resolver, or split-horizon DNS answering from the wrong view.',
    zh: '要么各解析服务器对 {name} 的应答完全不同（没有共同地址），要么本机解析到的地址不是预期的地址。可能是缓存被污染或过期、解析服务器劫持，或分离解析（split-horizon）返回了错误视图的结果。',
  },
  evidence: {
    en: 'The answers of every resolver with their TTLs, the system resolver’s answer and the expected addresses (`--expect-ip`).',
    zh: '每个解析服务器的应答及其 TTL、系统解析器的结果以及预期地址（`--expect-ip`）。',
  },
  fix: [
    { summary: { en: 'Flush the local DNS cache', zh: '清空本机 DNS 缓存' }, command: 'resolvectl flush-caches' },
    {
      summary: {
        en: 'Use a resolver that gives the correct answer (compare with the authoritative servers of the zone) and report the wrong one to its operator',
        zh: '改用给出正确结果的解析服务器（与该区域的权威服务器核对），并向错误解析服务器的管理方反馈',
      },
    },
  ],
};

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const name = ctx.target.host;
    const ev: Evidence[] = [];
    const what: string[] = [];

    // 1. Resolvers disagree: two servers with non-empty, disjoint answer sets for the same qtype.
    const answered = ofKind(ctx.observations, 'dns.query').filter((q) => q.data.outcome === 'answer' && q.data.answers.length > 0);
    for (const qtype of ['A', 'AAAA'] as const) {
      const sets = new Map<string, Set<string>>();
      for (const q of answered.filter((x) => x.data.qtype === qtype)) {
        const s = sets.get(q.data.server) ?? new Set<string>();
        for (const a of q.data.answers) s.add(canonicalIp(a.address));
        sets.set(q.data.server, s);
      }
      const list = [...sets.entries()];
      const pair = list.flatMap(([s1, a1], i) => list.slice(i + 1).map(([s2, a2]) => ({ s1, a1, s2, a2 }))).find((p) => ![...p.a1].some((x) => p.a2.has(x)));
      if (pair) {
        what.push(tr(ctx.lang, `resolvers disagree on ${qtype}`, `各解析服务器的 ${qtype} 记录互不相同`));
        for (const q of answered.filter((x) => x.data.qtype === qtype)) {
          ev.push(
            evidence(
              'dns.query',
              tr(
                ctx.lang,
                `${q.data.server} ${qtype}: ${q.data.answers.map((a) => `${a.address} (ttl ${a.ttl})`).join(', ')}`,
                `${q.data.server} ${qtype}：${q.data.answers.map((a) => `${a.address}（TTL ${a.ttl}）`).join('，')}`,
              ),
              { server: q.data.server, qtype, answers: q.data.answers },
            ),
          );
        }
        break;
      }
    }

    // 2. --expect-ip: for each family the user named, the system's addresses of that family must be among them.
    const expect = (ctx.options.expectIp ?? []).map(canonicalIp);
    const sys = ofKind(ctx.observations, 'dns.system')[0];
    if (expect.length > 0 && sys && sys.data.addresses.length > 0) {
      const got = sys.data.addresses.map((a) => canonicalIp(a.address));
      const families = new Set(expect.map(familyOf));
      const relevant = got.filter((a) => families.has(familyOf(a)));
      const wrong = relevant.length === 0 ? got : relevant.filter((a) => !expect.includes(a));
      if (wrong.length > 0) {
        what.push(tr(ctx.lang, `resolves to ${wrong.join(', ')}, expected ${expect.join(', ')}`, `解析为 ${wrong.join(', ')}，预期为 ${expect.join(', ')}`));
        ev.push(
          evidence(
            'dns.system',
            tr(
              ctx.lang,
              `getaddrinfo(${sys.data.name}): ${got.join(', ')}; expected (--expect-ip) ${expect.join(', ')}`,
              `getaddrinfo(${sys.data.name})：${got.join(', ')}；预期（--expect-ip）${expect.join(', ')}`,
            ),
            { addresses: got, expected: expect },
          ),
        );
      }
    }
    if (what.length === 0) return null;
    return makeFinding(meta, ctx, { vars: { name, what: what.join(tr(ctx.lang, '; ', '；')) }, evidence: ev });
  },
};
