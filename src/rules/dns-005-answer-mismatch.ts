import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import type { Evidence } from '../model/report.js';
import { canonicalIp, familyOf } from './helpers.js';

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

/** What is wrong: the record type the resolvers disagree on (null: they agree), the system's wrong addresses and the expected ones. */
type What = { disagree: string | null; wrong: string[]; expected: string[] };
const whatEn = (p: What): string =>
  [...(p.disagree ? [`resolvers disagree on ${p.disagree}`] : []), ...(p.wrong.length > 0 ? [`resolves to ${p.wrong.join(', ')}, expected ${p.expected.join(', ')}`] : [])].join('; ');
const whatZh = (p: What): string =>
  [...(p.disagree ? [`各解析服务器的 ${p.disagree} 记录互不相同`] : []), ...(p.wrong.length > 0 ? [`解析为 ${p.wrong.join('、')}，预期为 ${p.expected.join('、')}`] : [])].join('；');

const M = defineMessages('DNS-005', {
  /** The meta's title with {what} told in each language. */
  mismatchTitle: msg(
    (p: What & { name: string }) => `DNS answers for ${p.name} are not what they should be: ${whatEn(p)}`,
    (p) => `DNS解析结果异常/被污染：${p.name} ${whatZh(p)}`,
  ),
  /** One resolver's answers, index for index: address and TTL. */
  answers: msg(
    (p: { server: string; qtype: string; addresses: string[]; ttls: number[] }) => `${p.server} ${p.qtype}: ${p.addresses.map((a, i) => `${a} (ttl ${p.ttls[i]})`).join(', ')}`,
    (p) => `${p.server} ${p.qtype}：${p.addresses.map((a, i) => `${a}（TTL ${p.ttls[i]}）`).join('，')}`,
  ),
  system: msg(
    (p: { name: string; addresses: string[]; expected: string[] }) => `getaddrinfo(${p.name}): ${p.addresses.join(', ')}; expected (--expect-ip) ${p.expected.join(', ')}`,
    (p) => `getaddrinfo(${p.name})：${p.addresses.join('、')}；预期（--expect-ip）${p.expected.join('、')}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const name = ctx.target.host;
    const ev: Evidence[] = [];
    const what: What = { disagree: null, wrong: [], expected: [] };

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
        what.disagree = qtype;
        for (const q of answered.filter((x) => x.data.qtype === qtype)) {
          ev.push(
            evidence('dns.query', M.answers({ server: q.data.server, qtype, addresses: q.data.answers.map((a) => a.address), ttls: q.data.answers.map((a) => a.ttl) }), {
              server: q.data.server,
              qtype,
              answers: q.data.answers,
            }),
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
        what.wrong = wrong;
        what.expected = expect;
        ev.push(evidence('dns.system', M.system({ name: sys.data.name, addresses: got, expected: expect }), { addresses: got, expected: expect }));
      }
    }
    if (what.disagree === null && what.wrong.length === 0) return null;
    return makeFinding(meta, ctx, { vars: { name }, title: M.mismatchTitle({ name, ...what }), evidence: ev });
  },
};
