import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { tr } from './helpers.js';
import type { Lang } from '../model/layer.js';
import type { ObservationData } from '../model/observation.js';

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
    {
      summary: {
        en: 'SERVFAIL: check the zone’s delegation and DNSSEC signatures (ask its DNS administrator), or the resolver’s upstream',
        zh: 'SERVFAIL：检查该区域的委派与 DNSSEC 签名（联系 DNS 管理员），或检查解析服务器的上游',
      },
    },
  ],
};

const ERRORS = new Set(['SERVFAIL', 'REFUSED']);

type Q = ObservationData['dns.query'];

/** What makes a reply unusable, when it is (null: a usable answer, or no reply at all). */
export function unusable(q: Q): 'rcode' | 'malformed' | 'wrong-id' | 'cname-loop' | 'truncated' | null {
  if (q.outcome === 'answer') {
    if (ERRORS.has(q.rcode ?? '')) return 'rcode';
    if (q.answers.length > 0) return null;
    const loop = q.cnames.some((c, i) => q.cnames.indexOf(c) !== i || sameName(c, q.name));
    if (q.rcode === 'NOERROR' && loop) return 'cname-loop';
    if (q.truncated && q.error) return 'truncated';
    return null;
  }
  // The resolver did send something, and it could not be used.
  if (q.outcome === 'error' && q.error && (q.reply !== undefined || /^(malformed|the reply|no matching reply|oversized|connection closed before)/.test(q.error))) {
    return /no matching reply|does not match the query id/.test(q.error) ? 'wrong-id' : 'malformed';
  }
  return null;
}

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

const KIND_TEXT: Record<Exclude<ReturnType<typeof unusable>, null | 'rcode'>, { en: string; zh: string }> = {
  malformed: { en: 'malformed replies', zh: '畸形应答' },
  'wrong-id': { en: 'replies with another transaction id', zh: '事务ID不匹配的应答' },
  'cname-loop': { en: 'a CNAME loop', zh: 'CNAME 循环' },
  truncated: { en: 'a truncated reply, then garbage over TCP', zh: '截断应答，随后TCP上是无效数据' },
};

/** Some reply is more than an rcode (its description may contain commas). */
const kinds0 = (qs: Q[]): boolean => qs.some((q) => unusable(q) !== 'rcode');

/** The DNS probe's description of a reply it could not use (src/probes/dns.ts, dns-wire.ts), in Chinese; a text it does not know is quoted as it is. */
function dnsErrorZh(error: string): string {
  const m = (re: RegExp) => re.exec(error);
  let x: RegExpExecArray | null;
  if ((x = m(/^malformed DNS reply: (\d+) bytes, shorter than a DNS header$/))) return `畸形 DNS 应答：${x[1]} 字节，短于 DNS 报头`;
  if ((x = m(/^malformed DNS reply \((\d+) bytes\): (.*)$/s))) return `畸形 DNS 应答（${x[1]} 字节）："${x[2]}"`;
  if ((x = m(/^reply id (\S+) does not match the query id (\S+)$/))) return `应答 ID ${x[1]} 与查询 ID ${x[2]} 不匹配`;
  if (error === 'the reply is a query, not a response (QR bit clear)') return '应答是查询报文而不是响应（QR 位为 0）';
  if ((x = m(/^the reply is for another question \((.*)\)$/s))) return `应答针对的是另一个问题（${x[1]}）`;
  if ((x = m(/^no matching reply within (\d+) ms; ignored: (.*)$/s))) return `${x[1]} 毫秒内没有匹配的应答；已忽略：${dnsErrorZh(x[2]!)}`;
  if ((x = m(/^oversized TCP DNS reply \((\d+) bytes\)$/))) return `TCP DNS 应答过大（${x[1]} 字节）`;
  if ((x = m(/^connection closed before a full reply \((\d+) bytes\)$/))) return `收到完整应答之前连接被关闭（${x[1]} 字节）`;
  if ((x = m(/^truncated over UDP; TCP retry failed: (.*)$/s))) return `UDP 应答被截断；TCP 重试失败：${dnsErrorZh(x[1]!)}`;
  return `"${error}"`;
}

/** One reply in words. */
function describe(q: Q, lang: Lang): string {
  const k = unusable(q);
  if (k === 'rcode') return `${q.qtype} ${q.rcode}`;
  if (k === 'cname-loop') return tr(lang, `${q.qtype} CNAME loop: ${q.name} → ${q.cnames.join(' → ')}`, `${q.qtype} CNAME 循环：${q.name} → ${q.cnames.join(' → ')}`);
  if (lang === 'zh') return `${q.qtype} ${q.error ? dnsErrorZh(q.error) : k ? KIND_TEXT[k].zh : ''}${q.reply ? `（应答字节：${q.reply}）` : ''}`;
  return `${q.qtype} ${q.error ?? k ?? ''}${q.reply ? ` [reply bytes: ${q.reply}]` : ''}`;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const queries = ofKind(ctx.observations, 'dns.query').map((q) => q.data);
    // The resolvers that replied at all: an answer, or bytes that could not be used.
    const responded = queries.filter((q) => q.outcome === 'answer' || unusable(q) !== null);
    const failing = responded.filter((q) => unusable(q) !== null);
    // None usable: every reply is an error rcode or unusable (timeouts of other servers do not help).
    if (failing.length === 0 || failing.length !== responded.length) return null;
    const sys = ofKind(ctx.observations, 'dns.system')[0];
    if (sys && sys.data.addresses.length > 0) return null;
    const servers = [...new Set(failing.map((q) => q.server))];
    const ev = servers.map((s) =>
      evidence(
        'dns.query',
        `${s}${tr(ctx.lang, ': ', '：')}${failing
          .filter((q) => q.server === s)
          .map((q) => describe(q, ctx.lang))
          .join(kinds0(failing) ? tr(ctx.lang, '; ', '；') : ', ')}`,
        {
          server: s,
          replies: failing
            .filter((q) => q.server === s)
            .map((q) => ({
              qtype: q.qtype,
              rcode: q.rcode,
              kind: unusable(q),
              ...(q.error ? { error: q.error } : {}),
              ...(q.reply ? { reply: q.reply } : {}),
              ...(q.cnames.length > 0 ? { cnames: q.cnames } : {}),
            })),
        },
      ),
    );
    const kinds = [...new Set(failing.map(unusable))].filter((k): k is keyof typeof KIND_TEXT => k !== null && k !== 'rcode');
    const name = failing[0]!.name;
    if (kinds.length > 0) {
      const what = (lang: 'en' | 'zh'): string => kinds.map((k) => KIND_TEXT[k][lang]).join(lang === 'zh' ? '、' : ', ');
      if (sys) ev.push(evidence('dns.system', tr(ctx.lang, `getaddrinfo(${name}): ${sys.data.error ?? 'no address'}`, `getaddrinfo(${name})：${sys.data.error ?? '无地址'}`)));
      return makeFinding(meta, ctx, {
        vars: { name, rcodes: what(ctx.lang) },
        title: tr(
          ctx.lang,
          `The DNS resolver${servers.length > 1 ? 's' : ''} ${servers.join(', ')} give${servers.length > 1 ? '' : 's'} no usable answer for ${name}: ${what('en')}`,
          `DNS服务器返回错误：${servers.join('、')} 对 ${name} 没有可用的应答（${what('zh')}）`,
        ),
        explanation: tr(
          ctx.lang,
          `The resolvers answer, but nothing they send can be used (${what('en')}), so ${name} resolves to nothing and no connection is even tried. A broken resolver or DNS proxy, a middlebox that rewrites DNS (a captive portal, a filtering appliance), or someone spoofing replies sends such packets. The reply bytes are in the evidence.`,
          `解析服务器有应答，但其内容都不能用（${what('zh')}），因此 ${name} 解析不到任何地址，连接根本无从发起。常见原因是故障的解析服务器或DNS代理、改写DNS的中间设备（认证门户、过滤设备），或有人伪造应答。应答的原始字节见证据。`,
        ),
        evidence: ev,
        fix: [
          {
            summary: tr(
              ctx.lang,
              `Use another resolver, and have the operator of ${servers.join(', ')} (or the device in front of it) checked`,
              `改用其他解析服务器，并请 ${servers.join('、')}（或其前面的设备）的管理方检查`,
            ),
          },
          { summary: tr(ctx.lang, 'Look at the replies yourself', '亲自查看这些应答'), command: `dig @${servers[0]} ${name} A +tries=1 +time=2` },
        ],
      });
    }
    const rcodes = [...new Set(failing.map((q) => q.rcode!))];
    const only = (rc: string) => rcodes.length === 1 && rcodes[0] === rc;
    const fix = only('REFUSED') ? [meta.fix[0]!] : only('SERVFAIL') ? [meta.fix[1]!] : meta.fix;
    return makeFinding(meta, ctx, {
      vars: { name, rcodes: rcodes.join('/') },
      evidence: ev,
      fix: fix.map((f) => ({ summary: tr(ctx.lang, f.summary.en, f.summary.zh) })),
    });
  },
};
