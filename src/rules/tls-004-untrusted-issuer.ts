import { chainData, chainParams, chainText, firstWith, interceptionName, interceptionParam, serverLabel, type ChainParams } from './tls-classify.js';
import type { FixPart, Rule, RuleMeta } from './types.js';
import type { Evidence } from '../model/report.js';
import { defineMessages, evidence, fill, makeFinding, msg } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-004',
  slug: 'untrusted-issuer',
  layer: 'tls',
  severity: 'error',
  title: { en: 'The certificate of {server} is issued by an untrusted CA ({issuer})', zh: '{server} 的证书颁发者不受信任（{issuer}）' },
  explanation: {
    en: 'The chain presented by {server} ends in {issuer}, which is not in the trust store the client uses ({store}){selfSigned}. Every verifying client refuses it, whatever the dates and names of the certificate say.',
    zh: '{server} 提供的证书链终止于 {issuer}，它不在客户端使用的信任库（{store}）中{selfSigned}。无论证书的日期和域名如何，所有校验证书的客户端都会拒绝它。',
  },
  evidence: {
    en: 'The chain as presented (subject → issuer for each certificate) and the verification error (DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY).',
    zh: '服务器提供的证书链（每张证书的主题 → 颁发者）以及校验错误（DEPTH_ZERO_SELF_SIGNED_CERT、SELF_SIGNED_CERT_IN_CHAIN、UNABLE_TO_GET_ISSUER_CERT_LOCALLY）。',
  },
  fix: [
    {
      summary: {
        en: "Replace the certificate with one issued by a CA the clients trust, or, for a private CA, install {issuer} in the clients' trust store (or pass it with --ca)",
        zh: '换用客户端信任的 CA 签发的证书；如果是私有 CA，把 {issuer} 安装到客户端的信任库（或用 --ca 指定）',
      },
    },
  ],
  explains: ['APP-002'],
};

type Why = { server: string; issuer: string; store: string | null; selfSigned: boolean };
/** The meta's explanation with the trust store (null: the system store) and the self-signed note said in the language. */
const why = (lang: 'en' | 'zh', p: Why): string =>
  lang === 'zh'
    ? fill(meta.explanation.zh, { server: p.server, issuer: p.issuer, store: p.store ?? '系统信任库', selfSigned: p.selfSigned ? '；且该证书为自签名证书' : '' })
    : fill(meta.explanation.en, { server: p.server, issuer: p.issuer, store: p.store ?? 'the system store', selfSigned: p.selfSigned ? '; the certificate is self-signed' : '' });

const M = defineMessages('TLS-004', {
  untrusted: msg(
    (p: Why) => why('en', p),
    (p) => why('zh', p),
  ),
  chain: msg(
    (p: ChainParams & { verify: string | null }) => `chain as presented: ${chainText(p, 'en')}; verify: ${p.verify ?? 'failed'}`,
    (p) => `服务器发送的证书链：${chainText(p, 'zh')}；验证结果：${p.verify ?? '失败'}`,
  ),
  interception: msg(
    (p: { issuer: string; product: string | null }) =>
      `the issuer ${p.issuer} is the root of a known TLS interception product (${interceptionName(p.product, 'en')}): something between this client and the server re-signs its traffic`,
    (p) => `颁发者 ${p.issuer} 是已知 TLS 拦截产品（${interceptionName(p.product, 'zh')}）的根证书：本客户端与服务器之间有设备或软件在重新签发其流量的证书`,
  ),
  ambiguous: msg(
    (p: { issuer: string }) =>
      `ambiguous: the server sent the certificate alone; ${p.issuer} may be a private root this client does not trust, or an intermediate the server did not send; both fixes are given`,
    (p) => `无法确定：服务器只发送了这一张证书；${p.issuer} 可能是本客户端不信任的私有根证书，也可能是服务器没有发送的中间证书；两种修复都已给出`,
  ),
  removeInterception: msg(
    (p: { product: string | null }) =>
      `Find and remove the interception (${interceptionName(p.product, 'en')}): uninstall the software or its root from the trust store, or, for a sanctioned corporate proxy, get its CA from IT and trust it deliberately`,
    (p) => `找到并移除拦截者（${interceptionName(p.product, 'zh')}）：卸载该软件或从信任库删除其根证书；如果是公司批准的代理，请向 IT 获取其 CA 并有意识地信任它`,
  ),
  installRoot: msg(
    (p: { issuer: string }) => `Install ${p.issuer} in the client's trust store (or pass it with --ca) if it is your private root CA`,
    (p) => `如果 ${p.issuer} 是你的私有根 CA，请把它安装到客户端信任库（或用 --ca 指定）`,
  ),
  serveChain: msg(
    (p: { issuer: string }) => `If ${p.issuer} is an intermediate instead, serve the full chain on the server (leaf followed by ${p.issuer})`,
    (p) => `如果 ${p.issuer} 其实是中间证书，请在服务器上发送完整证书链（叶子证书后接 ${p.issuer}）`,
  ),
  alsoExpired: msg(
    (p: { subject: string; notAfter: string; code: string | null }) =>
      `the certificate ${p.subject} also expired ${p.notAfter} (node reports ${p.code ?? 'the time error'} first; the trust problem remains after renewal)`,
    (p) => `证书 ${p.subject} 也已于 ${p.notAfter} 过期（node 先报告了${p.code ? ` ${p.code}` : '时间错误'}；续期后信任问题依然存在）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-004');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const top = h.chain[at] ?? h.chain[0]!;
    const leaf = h.chain[0]!;
    const store = ctx.options.caFile ? `--ca ${ctx.options.caFile}` : h.verify.trustedBy === 'ca-file' ? '--ca' : null;
    const expired = Date.parse(leaf.notAfter) < ctx.now.getTime();
    const product = cls.interception ? interceptionParam(cls.interception) : null;
    const ev = [
      evidence('tls.handshake', M.chain({ ...chainParams(h.chain), verify: h.verify.code ?? h.errorCode ?? null }), {
        address: h.address,
        port: h.port,
        sni: h.sni,
        untrustedIssuer: top.issuer,
        verifyCode: h.verify.code,
        chain: chainData(h.chain),
      }),
    ];
    if (cls.interception) ev.push(evidence('tls.handshake', M.interception({ issuer: top.issuer, product }), { interception: cls.interception }));
    if (cls.ambiguous) ev.push(evidence('tls.handshake', M.ambiguous({ issuer: top.issuer }), { ambiguous: true, alternative: 'TLS-005' }));
    const fix: FixPart[] | undefined = cls.interception
      ? [{ summary: M.removeInterception({ product }) }]
      : cls.ambiguous
        ? [{ summary: M.installRoot({ issuer: top.issuer }) }, { summary: M.serveChain({ issuer: top.issuer }) }]
        : undefined;
    if (expired) ev.push(alsoExpired(leaf, h.verify.code));
    const vars = { server: serverLabel(h), issuer: top.issuer };
    return makeFinding(meta, ctx, {
      vars,
      explanation: M.untrusted({ ...vars, store, selfSigned: leaf.selfSigned }),
      evidence: ev,
      ...(fix ? { fix } : {}),
    });
  },
};

/** The leaf is expired too: renewal alone would not fix the trust. */
function alsoExpired(leaf: { subject: string; notAfter: string }, code: string | null): Evidence {
  return evidence('tls.handshake', M.alsoExpired({ subject: leaf.subject, notAfter: leaf.notAfter, code }), { notAfter: leaf.notAfter });
}
