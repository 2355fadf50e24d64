import { chainData, chainParams, chainText, firstWith, serverLabel, type ChainParams } from './tls-classify.js';
import type { FixPart, Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, metaFix, msg } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-005',
  slug: 'incomplete-chain',
  layer: 'tls',
  severity: 'error',
  title: { en: '{server} does not send the intermediate certificate ({missing})', zh: '{server} 证书链不完整（缺少 {missing}）' },
  explanation: {
    en: 'The server presents {count} certificate(s) ending in {last}, whose issuer {missing} is not sent. Clients that do not already have that intermediate cannot build a path to a trusted root and refuse the connection; browsers that cached it may still work, which hides the problem. (If {missing} is itself a root CA, the chain is complete and that root is simply not trusted here: add it to the trust store or pass it with --ca.)',
    zh: '服务器只提供了 {count} 张证书，最后一张是 {last}，其颁发者 {missing} 没有随证书链发送。没有预先缓存该中间证书的客户端无法构建到受信根证书的路径，从而拒绝连接；已缓存它的浏览器仍能访问，这会掩盖问题。（如果 {missing} 本身就是根证书，则证书链是完整的，只是本机不信任该根证书：请把它加入信任库或用 --ca 指定。）',
  },
  evidence: { en: 'The chain as presented (subject → issuer for each certificate) and the name of the missing issuer.', zh: '服务器提供的证书链（每张证书的主题 → 颁发者）以及缺失的颁发者名称。' },
  fix: [
    {
      summary: {
        en: 'Serve the full chain: the certificate file must contain the leaf followed by the intermediate {missing} (nginx: ssl_certificate with leaf+intermediate; Apache ≥ 2.4.8: SSLCertificateFile with both)',
        zh: '发送完整证书链：证书文件中应依次包含叶子证书和中间证书 {missing}（nginx：ssl_certificate 使用叶子+中间证书的合并文件；Apache ≥ 2.4.8：SSLCertificateFile 包含两者）',
      },
    },
  ],
  explains: ['APP-002'],
};

const M = defineMessages('TLS-005', {
  chain: msg(
    (p: ChainParams & { missing: string; verify: string | null; caIssuers: string[] }) =>
      `chain as presented (${p.subjects.length}): ${chainText(p, 'en')}; missing issuer: ${p.missing}; verify: ${p.verify ?? 'failed'}${p.caIssuers.length > 0 ? `; the certificate names its issuer's location (AIA caIssuers ${p.caIssuers.join(', ')})` : ''}`,
    (p) =>
      `服务器发送的证书链（${p.subjects.length} 张）：${chainText(p, 'zh')}；缺少签发者：${p.missing}；验证结果：${p.verify ?? '失败'}${p.caIssuers.length > 0 ? `；证书给出了其签发者的下载位置（AIA caIssuers ${p.caIssuers.join('、')}）` : ''}`,
  ),
  ambiguous: msg(
    (p: { missing: string }) => `ambiguous: the certificate does not say whether ${p.missing} is an intermediate (missing from the chain) or a root this client does not trust; both fixes are given`,
    (p) => `无法确定：证书没有表明 ${p.missing} 是（链中缺失的）中间证书，还是本客户端不信任的根证书；两种修复都已给出`,
  ),
  installRoot: msg(
    (p: { missing: string }) => `If ${p.missing} is a private root instead, install it in the client's trust store (or pass it with --ca)`,
    (p) => `如果 ${p.missing} 其实是私有根证书，请把它安装到客户端信任库（或用 --ca 指定）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-005');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const last = h.chain[at] ?? h.chain[0]!;
    const missing = last.issuer;
    const ambiguity = cls.ambiguous ? [evidence('tls.handshake', M.ambiguous({ missing }), { ambiguous: true, alternative: 'TLS-004' })] : [];
    const vars = { server: serverLabel(h), missing, last: last.subject, count: h.chain.length };
    const fix: FixPart[] | undefined = cls.ambiguous ? [metaFix(meta, 0, vars), { summary: M.installRoot({ missing }) }] : undefined;
    return makeFinding(meta, ctx, {
      ...(fix ? { fix } : {}),
      vars,
      evidence: [
        evidence('tls.handshake', M.chain({ ...chainParams(h.chain), missing, verify: h.verify.code ?? h.errorCode ?? null, caIssuers: [...(last.caIssuers ?? [])] }), {
          address: h.address,
          port: h.port,
          sni: h.sni,
          missingIssuer: last.issuer,
          verifyCode: h.verify.code,
          chain: chainData(h.chain),
          ...(last.caIssuers ? { caIssuers: [...last.caIssuers] } : {}),
        }),
        ...ambiguity,
      ],
    });
  },
};
