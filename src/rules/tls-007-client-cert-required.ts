import { alertName, firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ruleMessages, type Msg } from './types.js';

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
  messages: {
    useAccepted: { en: 'Use a client certificate that the server accepts: issued by the CA the server trusts for clients, valid today, with extendedKeyUsage clientAuth', zh: '使用服务器接受的客户端证书：由服务器信任的客户端 CA 签发、当前有效、extendedKeyUsage 包含 clientAuth' },
    useAcceptedFile: { en: 'Use a client certificate that the server accepts: issued by the CA the server trusts for clients, valid today, with extendedKeyUsage clientAuth (offered: {file})', zh: '使用服务器接受的客户端证书：由服务器信任的客户端 CA 签发、当前有效、extendedKeyUsage 包含 clientAuth（当前提供的是：{file}）' },
    handshake: { en: 'TLS {server}: alert {alert}{code}; client certificate offered: {offered}; certificate requested: {requested}', zh: 'TLS {server}：收到 {alert} 告警{code}；客户端是否提供证书：{offered}；服务器是否要求证书：{requested}' },
    code: { en: ' ({code})', zh: '（{code}）' },
    yes: { en: 'yes', zh: '是' },
    no: { en: 'no', zh: '否' },
    unknown: { en: 'unknown', zh: '未知' },
    noCert: { en: 'no client certificate was offered.', zh: '客户端没有提供证书。' },
    unknownCa: { en: 'the client certificate offered is not issued by a CA the server trusts.', zh: '客户端提供的证书不是由服务器信任的 CA 签发的。' },
    certExpired: { en: "the server says the client certificate offered has expired (this alert is about the client certificate, not the server's).", zh: '服务器认为客户端提供的证书已过期（该告警针对客户端证书，而非服务器证书）。' },
    certRevoked: { en: 'the server says the client certificate offered is revoked.', zh: '服务器认为客户端提供的证书已被吊销。' },
    certRejected: { en: 'the server rejected the client certificate offered ({alert}).', zh: '服务器拒绝了客户端提供的证书（{alert}）。' },
  },
};

const m = ruleMessages(meta);

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-007');
    if (!hit) return null;
    const { h } = hit;
    const alert = alertName(h) ?? 'handshake_failure';
    const offered = h.clientCertOffered;
    let situation: Msg;
    if (!offered) situation = m('noCert');
    else if (alert === 'unknown_ca') situation = m('unknownCa');
    else if (alert === 'certificate_expired') situation = m('certExpired');
    else if (alert === 'certificate_revoked') situation = m('certRevoked');
    else situation = m('certRejected', { alert });
    const fix = offered
      ? [
          {
            summary: ctx.options.certFile ? m('useAcceptedFile', { file: ctx.options.certFile }) : m('useAccepted'),
          },
        ]
      : undefined;
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), alert, situation },
      evidence: [
        evidence('tls.handshake', m('handshake', { server: serverLabel(h), alert, code: h.errorCode ? m('code', { code: h.errorCode }) : '', offered: m(offered ? 'yes' : 'no'), requested: m(h.clientCertRequested === null ? 'unknown' : h.clientCertRequested ? 'yes' : 'no') }), {
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
