import { tr } from './helpers.js';
import { alertName, firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';

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

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-007');
    if (!hit) return null;
    const { h } = hit;
    const alert = alertName(h) ?? 'handshake_failure';
    const offered = h.clientCertOffered;
    let situation: string;
    if (!offered) situation = tr(ctx.lang, 'no client certificate was offered.', '客户端没有提供证书。');
    else if (alert === 'unknown_ca') situation = tr(ctx.lang, 'the client certificate offered is not issued by a CA the server trusts.', '客户端提供的证书不是由服务器信任的 CA 签发的。');
    else if (alert === 'certificate_expired') situation = tr(ctx.lang, 'the server says the client certificate offered has expired (this alert is about the client certificate, not the server\'s).', '服务器认为客户端提供的证书已过期（该告警针对客户端证书，而非服务器证书）。');
    else if (alert === 'certificate_revoked') situation = tr(ctx.lang, 'the server says the client certificate offered is revoked.', '服务器认为客户端提供的证书已被吊销。');
    else situation = tr(ctx.lang, `the server rejected the client certificate offered (${alert}).`, `服务器拒绝了客户端提供的证书（${alert}）。`);
    const fix = offered
      ? [
          {
            summary: tr(
              ctx.lang,
              `Use a client certificate that the server accepts: issued by the CA the server trusts for clients, valid today, with extendedKeyUsage clientAuth${ctx.options.certFile ? ` (offered: ${ctx.options.certFile})` : ''}`,
              `使用服务器接受的客户端证书：由服务器信任的客户端 CA 签发、当前有效、extendedKeyUsage 包含 clientAuth${ctx.options.certFile ? `（当前提供的是：${ctx.options.certFile}）` : ''}`,
            ),
          },
        ]
      : undefined;
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), alert, situation },
      evidence: [
        evidence('tls.handshake', `TLS ${serverLabel(h)}: alert ${alert}${h.errorCode ? ` (${h.errorCode})` : ''}; client certificate offered: ${offered ? 'yes' : 'no'}; certificate requested: ${h.clientCertRequested === null ? 'unknown' : h.clientCertRequested ? 'yes' : 'no'}`, {
          address: h.address,
          port: h.port,
          sni: h.sni,
          alert,
          errorCode: h.errorCode,
          protocol: h.protocol,
          clientCertOffered: offered,
          clientCertRequested: h.clientCertRequested,
        }),
      ],
      ...(fix ? { fix } : {}),
    });
  },
};
