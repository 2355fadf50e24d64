import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-005',
  slug: 'incomplete-chain',
  layer: 'tls',
  severity: 'error',
  title: { en: '{server} does not send the intermediate certificate ({missing})', zh: '{server} 证书链不完整（缺少 {missing}）' },
  explanation: {
    en: 'The server presents {count} certificate(s) ending in {last}, whose issuer {missing} is not sent. Clients that do not already have that intermediate cannot build a path to a trusted root and refuse the connection; browsers that cached it may still work, which hides the problem.',
    zh: '服务器只提供了 {count} 张证书，最后一张是 {last}，其颁发者 {missing} 没有随证书链发送。没有预先缓存该中间证书的客户端无法构建到受信根证书的路径，从而拒绝连接；已缓存它的浏览器仍能访问，这会掩盖问题。',
  },
  evidence: { en: 'The chain as presented (subject → issuer for each certificate) and the name of the missing issuer.', zh: '服务器提供的证书链（每张证书的主题 → 颁发者）以及缺失的颁发者名称。' },
  fix: [
    { summary: { en: 'Serve the full chain: the certificate file must contain the leaf followed by the intermediate {missing} (nginx: ssl_certificate with leaf+intermediate; Apache ≥ 2.4.8: SSLCertificateFile with both)', zh: '发送完整证书链：证书文件中应依次包含叶子证书和中间证书 {missing}（nginx：ssl_certificate 使用叶子+中间证书的合并文件；Apache ≥ 2.4.8：SSLCertificateFile 包含两者）' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
};

export const rule: Rule = { meta, check: () => null };
