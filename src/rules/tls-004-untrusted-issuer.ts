import { chainData, chainText, firstWith, serverLabel, tlsText } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ruleMessages } from './types.js';

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
  evidence: { en: 'The chain as presented (subject → issuer for each certificate) and the verification error (DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY).', zh: '服务器提供的证书链（每张证书的主题 → 颁发者）以及校验错误（DEPTH_ZERO_SELF_SIGNED_CERT、SELF_SIGNED_CERT_IN_CHAIN、UNABLE_TO_GET_ISSUER_CERT_LOCALLY）。' },
  fix: [
    { summary: { en: 'Replace the certificate with one issued by a CA the clients trust, or, for a private CA, install {issuer} in the clients\' trust store (or pass it with --ca)', zh: '换用客户端信任的 CA 签发的证书；如果是私有 CA，把 {issuer} 安装到客户端的信任库（或用 --ca 指定）' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
  messages: {
    systemStore: { en: 'the system store', zh: '系统信任库' },
    selfSigned: { en: '; the certificate is self-signed', zh: '；且该证书为自签名证书' },
    chain: { en: 'chain as presented: {chain}; verify: {verify}', zh: '服务器发送的证书链：{chain}；验证结果：{verify}' },
    alsoExpired: { en: 'the certificate {subject} also expired {notAfter} (node reports {code} first; the trust problem remains after renewal)', zh: '证书 {subject} 也已于 {notAfter} 过期（node 先报告 {code}；续期后信任问题依然存在）' },
    timeError: { en: 'the time error', zh: '时间错误' },
  },
};

const m = ruleMessages(meta);

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-004');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const top = h.chain[at] ?? h.chain[0]!;
    const leaf = h.chain[0]!;
    const store = ctx.options.caFile ? `--ca ${ctx.options.caFile}` : h.verify.trustedBy === 'ca-file' ? '--ca' : m('systemStore');
    const selfSigned = leaf.selfSigned ? m('selfSigned') : '';
    const expired = Date.parse(leaf.notAfter) < ctx.now.getTime();
    const ev = [
      evidence('tls.handshake', m('chain', { chain: chainText(h.chain), verify: h.verify.code ?? h.errorCode ?? tlsText('failed') }), {
        address: h.address,
        port: h.port,
        sni: h.sni,
        untrustedIssuer: top.issuer,
        verifyCode: h.verify.code,
        chain: chainData(h.chain),
      }),
    ];
    if (expired) ev.push(evidence('tls.handshake', m('alsoExpired', { subject: leaf.subject, notAfter: leaf.notAfter, code: h.verify.code ?? m('timeError') }), { notAfter: leaf.notAfter }));
    return makeFinding(meta, ctx, { vars: { server: serverLabel(h), issuer: top.issuer, store, selfSigned }, evidence: ev });
  },
};
