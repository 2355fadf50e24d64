import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, registerMetaMessages } from './types.js';
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

/**
 * The replies of one server as params, index for index: query type, kind (`unusable`), rcode, the
 * probe's error text, the first reply bytes and the CNAME chain of a loop ('' where a reply has none).
 */
type Replies = { qtypes: string[]; kinds: string[]; rcodes: string[]; errors: string[]; replies: string[]; chains: string[] };
const repliesParams = (qs: Q[]): Replies => ({
  qtypes: qs.map((q) => q.qtype),
  kinds: qs.map((q) => unusable(q) ?? ''),
  rcodes: qs.map((q) => q.rcode ?? ''),
  errors: qs.map((q) => q.error ?? ''),
  replies: qs.map((q) => q.reply ?? ''),
  chains: qs.map((q) => (unusable(q) === 'cname-loop' ? `${q.name} → ${q.cnames.join(' → ')}` : '')),
});
const kindText = (k: string, lang: 'en' | 'zh'): string => (k in KIND_TEXT ? KIND_TEXT[k as keyof typeof KIND_TEXT][lang] : '');

/** One reply in words. */
function describeEn(p: Replies, i: number): string {
  const [qtype, k] = [p.qtypes[i]!, p.kinds[i]!];
  if (k === 'rcode') return `${qtype} ${p.rcodes[i]}`;
  if (k === 'cname-loop') return `${qtype} CNAME loop: ${p.chains[i]}`;
  return `${qtype} ${p.errors[i] || k}${p.replies[i] ? ` [reply bytes: ${p.replies[i]}]` : ''}`;
}
function describeZh(p: Replies, i: number): string {
  const [qtype, k] = [p.qtypes[i]!, p.kinds[i]!];
  if (k === 'rcode') return `${qtype} ${p.rcodes[i]}`;
  if (k === 'cname-loop') return `${qtype} CNAME 循环：${p.chains[i]}`;
  return `${qtype} ${p.errors[i] ? dnsErrorZh(p.errors[i]!) : kindText(k, 'zh')}${p.replies[i] ? `（应答字节：${p.replies[i]}）` : ''}`;
}

/** The kinds of unusable replies in words ('malformed replies, a CNAME loop'). */
const kindsEn = (kinds: string[]): string => kinds.map((k) => kindText(k, 'en')).join(', ');
const kindsZh = (kinds: string[]): string => kinds.map((k) => kindText(k, 'zh')).join('、');

const M = defineMessages('DNS-003', {
  /** One server's replies; `detailed` when some reply is more than an rcode (its description may contain commas, so they are separated by semicolons). */
  serverReplies: msg(
    (p: Replies & { server: string; detailed: boolean }) => `${p.server}: ${p.qtypes.map((_, i) => describeEn(p, i)).join(p.detailed ? '; ' : ', ')}`,
    (p) => `${p.server}：${p.qtypes.map((_, i) => describeZh(p, i)).join(p.detailed ? '；' : ', ')}`,
  ),
  system: msg(
    (p: { name: string; error: string | null }) => `getaddrinfo(${p.name}): ${p.error ?? 'no address'}`,
    (p) => `getaddrinfo(${p.name})：${p.error ?? '无地址'}`,
  ),
  unusableTitle: msg(
    (p: { servers: string[]; name: string; kinds: string[] }) =>
      `The DNS resolver${p.servers.length > 1 ? 's' : ''} ${p.servers.join(', ')} give${p.servers.length > 1 ? '' : 's'} no usable answer for ${p.name}: ${kindsEn(p.kinds)}`,
    (p) => `DNS服务器返回错误：${p.servers.join('、')} 对 ${p.name} 没有可用的应答（${kindsZh(p.kinds)}）`,
  ),
  unusableWhy: msg(
    (p: { name: string; kinds: string[] }) =>
      `The resolvers answer, but nothing they send can be used (${kindsEn(p.kinds)}), so ${p.name} resolves to nothing and no connection is even tried. A broken resolver or DNS proxy, a middlebox that rewrites DNS (a captive portal, a filtering appliance), or someone spoofing replies sends such packets. The reply bytes are in the evidence.`,
    (p) =>
      `解析服务器有应答，但其内容都不能用（${kindsZh(p.kinds)}），因此 ${p.name} 解析不到任何地址，连接根本无从发起。常见原因是故障的解析服务器或DNS代理、改写DNS的中间设备（认证门户、过滤设备），或有人伪造应答。应答的原始字节见证据。`,
  ),
  useAnother: msg(
    (p: { servers: string[] }) => `Use another resolver, and have the operator of ${p.servers.join(', ')} (or the device in front of it) checked`,
    (p) => `改用其他解析服务器，并请 ${p.servers.join('、')}（或其前面的设备）的管理方检查`,
  ),
  lookYourself: msg('Look at the replies yourself', '亲自查看这些应答'),
});

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
    // Some reply is more than an rcode: its description may contain commas.
    const detailed = failing.some((q) => unusable(q) !== 'rcode');
    const ev = servers.map((s) =>
      evidence('dns.query', M.serverReplies({ server: s, detailed, ...repliesParams(failing.filter((q) => q.server === s)) }), {
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
      }),
    );
    const kinds = [...new Set(failing.map(unusable))].filter((k): k is keyof typeof KIND_TEXT => k !== null && k !== 'rcode');
    const name = failing[0]!.name;
    if (kinds.length > 0) {
      if (sys) ev.push(evidence('dns.system', M.system({ name, error: sys.data.error })));
      return makeFinding(meta, ctx, {
        vars: { name },
        title: M.unusableTitle({ servers, name, kinds }),
        explanation: M.unusableWhy({ name, kinds }),
        evidence: ev,
        fix: [{ summary: M.useAnother({ servers }) }, { summary: M.lookYourself(), command: `dig @${servers[0]} ${name} A +tries=1 +time=2` }],
      });
    }
    const rcodes = [...new Set(failing.map((q) => q.rcode!))];
    const only = (rc: string) => rcodes.length === 1 && rcodes[0] === rc;
    // The meta's fixes by their own ids: the one for the rcode seen, or both.
    const fixIds = registerMetaMessages(meta).fix;
    const fix = only('REFUSED') ? [fixIds[0]!] : only('SERVFAIL') ? [fixIds[1]!] : fixIds;
    return makeFinding(meta, ctx, {
      vars: { name, rcodes: rcodes.join('/') },
      evidence: ev,
      fix: fix.map((id) => ({ summary: { id, params: {} } })),
    });
  },
};
