import { tr } from './helpers.js';
import { chainData, chainText, firstWith, interceptionName, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import type { Evidence, Fix } from '../model/report.js';
import type { Lang } from '../model/layer.js';
import { evidence, makeFinding } from './types.js';

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

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-004');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const top = h.chain[at] ?? h.chain[0]!;
    const leaf = h.chain[0]!;
    const store = ctx.options.caFile ? `--ca ${ctx.options.caFile}` : h.verify.trustedBy === 'ca-file' ? '--ca' : tr(ctx.lang, 'the system store', '系统信任库');
    const selfSigned = leaf.selfSigned ? tr(ctx.lang, '; the certificate is self-signed', '；且该证书为自签名证书') : '';
    const expired = Date.parse(leaf.notAfter) < ctx.now.getTime();
    const product = cls.interception ? interceptionName(cls.interception, ctx.lang) : '';
    const ev = [
      evidence(
        'tls.handshake',
        tr(
          ctx.lang,
          `chain as presented: ${chainText(h.chain, ctx.lang)}; verify: ${h.verify.code ?? h.errorCode ?? 'failed'}`,
          `服务器发送的证书链：${chainText(h.chain, ctx.lang)}；验证结果：${h.verify.code ?? h.errorCode ?? '失败'}`,
        ),
        {
          address: h.address,
          port: h.port,
          sni: h.sni,
          untrustedIssuer: top.issuer,
          verifyCode: h.verify.code,
          chain: chainData(h.chain),
        },
      ),
    ];
    if (cls.interception)
      ev.push(
        evidence(
          'tls.handshake',
          tr(
            ctx.lang,
            `the issuer ${top.issuer} is the root of a known TLS interception product (${product}): something between this client and the server re-signs its traffic`,
            `颁发者 ${top.issuer} 是已知 TLS 拦截产品（${product}）的根证书：本客户端与服务器之间有设备或软件在重新签发其流量的证书`,
          ),
          {
            interception: cls.interception,
          },
        ),
      );
    if (cls.ambiguous)
      ev.push(
        evidence(
          'tls.handshake',
          tr(
            ctx.lang,
            `ambiguous: the server sent the certificate alone; ${top.issuer} may be a private root this client does not trust, or an intermediate the server did not send; both fixes are given`,
            `无法确定：服务器只发送了这一张证书；${top.issuer} 可能是本客户端不信任的私有根证书，也可能是服务器没有发送的中间证书；两种修复都已给出`,
          ),
          {
            ambiguous: true,
            alternative: 'TLS-005',
          },
        ),
      );
    const fix: Fix[] | undefined = cls.interception
      ? [
          {
            summary: tr(
              ctx.lang,
              `Find and remove the interception (${product}): uninstall the software or its root from the trust store, or, for a sanctioned corporate proxy, get its CA from IT and trust it deliberately`,
              `找到并移除拦截者（${product}）：卸载该软件或从信任库删除其根证书；如果是公司批准的代理，请向 IT 获取其 CA 并有意识地信任它`,
            ),
          },
        ]
      : cls.ambiguous
        ? [
            {
              summary: tr(
                ctx.lang,
                `Install ${top.issuer} in the client's trust store (or pass it with --ca) if it is your private root CA`,
                `如果 ${top.issuer} 是你的私有根 CA，请把它安装到客户端信任库（或用 --ca 指定）`,
              ),
            },
            {
              summary: tr(
                ctx.lang,
                `If ${top.issuer} is an intermediate instead, serve the full chain on the server (leaf followed by ${top.issuer})`,
                `如果 ${top.issuer} 其实是中间证书，请在服务器上发送完整证书链（叶子证书后接 ${top.issuer}）`,
              ),
            },
          ]
        : undefined;
    if (expired) ev.push(alsoExpired(ctx.lang, leaf, h.verify.code));
    return makeFinding(meta, ctx, { vars: { server: serverLabel(h), issuer: top.issuer, store, selfSigned }, evidence: ev, ...(fix ? { fix } : {}) });
  },
};

/** The leaf is expired too: renewal alone would not fix the trust. */
function alsoExpired(lang: Lang, leaf: { subject: string; notAfter: string }, code: string | null): Evidence {
  return evidence(
    'tls.handshake',
    tr(
      lang,
      `the certificate ${leaf.subject} also expired ${leaf.notAfter} (node reports ${code ?? 'the time error'} first; the trust problem remains after renewal)`,
      `证书 ${leaf.subject} 也已于 ${leaf.notAfter} 过期（node 先报告了${code ? ` ${code}` : '时间错误'}；续期后信任问题依然存在）`,
    ),
    { notAfter: leaf.notAfter },
  );
}
