import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-007',
  slug: 'client-cert-required',
  layer: 'tls',
  severity: 'error',
  title: { en: '{server} requires a client certificate', zh: '{server} 服务器要求客户端证书' },
  explanation: {
    en: '{server} asks for a client certificate (mutual TLS) and ended the handshake with {alert}: {situation}',
    zh: '{server} 要求客户端证书（双向 TLS），并以 {alert} 终止了握手：{situation}',
  },
  evidence: { en: 'The CertificateRequest / the alert the server sent (certificate_required, handshake_failure, bad_certificate, unknown_ca) and whether a client certificate was offered.', zh: '服务器发送的 CertificateRequest 或告警（certificate_required、handshake_failure、bad_certificate、unknown_ca），以及客户端是否提供了证书。' },
  fix: [
    { summary: { en: 'Connect with a client certificate and key that the server\'s client CA issued (netdx: --cert FILE --key FILE)', zh: '使用由服务器信任的客户端 CA 签发的证书和私钥连接（netdx：--cert 文件 --key 文件）' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
};

export const rule: Rule = { meta, check: () => null };
