import { tr } from './helpers.js';
import { alertName, firstWith, serverLabel, type Handshake } from './tls-classify.js';
import type { Rule, RuleContext, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import type { Evidence, Finding, Fix } from '../model/report.js';
import type { ObservationData } from '../model/observation.js';
import type { Lang } from '../model/layer.js';

/**
 * The words of a server that completed the handshake and then refuses the request for want of a
 * client certificate: nginx `ssl_verify_client on` answers 400 "No required SSL certificate was
 * sent" (none offered) or "The SSL certificate error" (one offered and refused).
 */
export const MTLS_PAGE = /No required SSL certificate was sent|The SSL certificate error|SSL certificate error|client certificate (?:is )?required/i;

/** An HTTP answer that says "no (acceptable) client certificate", with its handshake. */
export function refusalAfterHandshake(ctx: Pick<RuleContext, 'observations'>): { h: Handshake; r: ObservationData['http.response'] } | null {
  const h = ofKind(ctx.observations, 'tls.handshake').find((x) => x.data.outcome === 'ok' || x.data.outcome === 'verify-failed')?.data;
  if (!h) return null;
  const r = ofKind(ctx.observations, 'http.response').find((x) => x.data.status === 400 && MTLS_PAGE.test(x.data.body?.text ?? ''))?.data;
  return r ? { h, r } : null;
}

/** Evidence of the CertificateRequest: that it came, and which CAs it names. */
function requestEvidence(h: Handshake, lang: Lang): Evidence[] {
  if (h.clientCertRequested !== true) return [];
  const cas = h.clientCertCAs ?? [];
  return [
    evidence(
      'tls.handshake',
      tr(
        lang,
        `CertificateRequest from ${serverLabel(h)} (${h.protocol ?? 'TLS'}): ${cas.length > 0 ? `acceptable CAs: ${cas.join('; ')}` : 'no CA names sent (any CA the server trusts)'}`,
        `${serverLabel(h)} 发送了 CertificateRequest（${h.protocol ?? 'TLS'}）：${cas.length > 0 ? `可接受的 CA：${cas.join('；')}` : '未列出 CA 名称（服务器信任的任何 CA 均可）'}`,
      ),
      {
        protocol: h.protocol,
        clientCertRequested: true,
        acceptableCAs: [...cas],
      },
    ),
  ];
}

/** Which certificate to present: one issued by the CAs the server named, when it named them. */
function presentFix(ctx: RuleContext, h: Handshake): Fix {
  const cas = h.clientCertCAs ?? [];
  const target = ctx.target.input;
  return cas.length > 0
    ? {
        summary: tr(
          ctx.lang,
          `Present a client certificate (and its key) issued by ${cas.length === 1 ? 'the CA the server names' : 'one of the CAs the server names'}: ${cas.join('; ')}; to check it with netdx: netdx diagnose ${target} --cert CLIENT.pem --key CLIENT.key`,
          `提供由服务器指定的 CA 签发的客户端证书（及私钥）：${cas.join('；')}；可用 netdx 验证：netdx diagnose ${target} --cert CLIENT.pem --key CLIENT.key`,
        ),
      }
    : {
        summary: tr(
          ctx.lang,
          `Present a client certificate (and its key) issued by the CA the server trusts for clients; to check it with netdx: netdx diagnose ${target} --cert CLIENT.pem --key CLIENT.key`,
          `提供由服务器信任的客户端 CA 签发的证书（及私钥）；可用 netdx 验证：netdx diagnose ${target} --cert CLIENT.pem --key CLIENT.key`,
        ),
      };
}

/** The handshake completed, then the server refused the request (nginx 400): TLS-007 all the same. */
function afterHandshake(ctx: RuleContext): Finding | null {
  const hit = refusalAfterHandshake(ctx);
  if (!hit) return null;
  const { h, r } = hit;
  const offered = h.clientCertOffered;
  const words = (r.body?.text ?? '').match(MTLS_PAGE)?.[0] ?? '';
  const situation = offered
    ? tr(
        ctx.lang,
        `the handshake completed, then the server answered HTTP 400 "${words}": it refused the client certificate offered${ctx.options.certFile ? ` (${ctx.options.certFile})` : ''}.`,
        `握手完成后，服务器返回 HTTP 400 "${words}"：它拒绝了客户端提供的证书${ctx.options.certFile ? `（${ctx.options.certFile}）` : ''}。`,
      )
    : tr(ctx.lang, `the handshake completed, then the server answered HTTP 400 "${words}": no client certificate was offered.`, `握手完成后，服务器返回 HTTP 400 "${words}"：客户端没有提供证书。`);
  return makeFinding(meta, ctx, {
    vars: { server: serverLabel(h), alert: tr(ctx.lang, 'an HTTP 400 refusal instead of an alert', 'HTTP 400 拒绝（而非告警）'), situation },
    evidence: [
      ...requestEvidence(h, ctx.lang),
      evidence(
        'http.response',
        tr(
          ctx.lang,
          `${r.url}: HTTP 400 "${words}" (page: ${r.body?.text ?? ''}); client certificate offered: ${offered ? 'yes' : 'no'}`,
          `${r.url}：HTTP 400 "${words}"（页面内容：“${r.body?.text ?? ''}”）；客户端是否提供证书：${offered ? '是' : '否'}`,
        ),
        {
          url: r.url,
          status: r.status,
          words,
          text: r.body?.text ?? null,
          server: r.server,
          clientCertOffered: offered,
        },
      ),
    ],
    fix: [presentFix(ctx, h)],
  });
}

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
  evidence: {
    en: 'The CertificateRequest / the alert the server sent (certificate_required, handshake_failure, bad_certificate, unknown_ca) and whether a client certificate was offered.',
    zh: '服务器发送的 CertificateRequest 或告警（certificate_required、handshake_failure、bad_certificate、unknown_ca），以及客户端是否提供了证书。',
  },
  fix: [
    {
      summary: {
        en: "Connect with a client certificate and key that the server's client CA issued (netdx: --cert FILE --key FILE)",
        zh: '使用由服务器信任的客户端 CA 签发的证书和私钥连接（netdx：--cert 文件 --key 文件）',
      },
    },
  ],
  explains: ['APP-002'],
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-007');
    if (!hit) return afterHandshake(ctx);
    const { h } = hit;
    const alert = alertName(h) ?? 'handshake_failure';
    const offered = h.clientCertOffered;
    let situation: string;
    if (!offered) situation = tr(ctx.lang, 'no client certificate was offered.', '客户端没有提供证书。');
    else if (alert === 'unknown_ca') situation = tr(ctx.lang, 'the client certificate offered is not issued by a CA the server trusts.', '客户端提供的证书不是由服务器信任的 CA 签发的。');
    else if (alert === 'certificate_expired')
      situation = tr(
        ctx.lang,
        "the server says the client certificate offered has expired (this alert is about the client certificate, not the server's).",
        '服务器认为客户端提供的证书已过期（该告警针对客户端证书，而非服务器证书）。',
      );
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
      : [presentFix(ctx, h)];
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), alert, situation },
      evidence: [
        evidence(
          'tls.handshake',
          tr(
            ctx.lang,
            `TLS ${serverLabel(h)}: alert ${alert}${h.errorCode ? ` (${h.errorCode})` : ''}; client certificate offered: ${offered ? 'yes' : 'no'}; certificate requested: ${h.clientCertRequested === null ? 'unknown' : h.clientCertRequested ? 'yes' : 'no'}`,
            `TLS ${serverLabel(h)}：收到 ${alert} 告警${h.errorCode ? `（${h.errorCode}）` : ''}；客户端是否提供证书：${offered ? '是' : '否'}；服务器是否要求证书：${h.clientCertRequested === null ? '未知' : h.clientCertRequested ? '是' : '否'}`,
          ),
          {
            address: h.address,
            port: h.port,
            sni: h.sni,
            alert,
            errorCode: h.errorCode,
            protocol: h.protocol,
            clientCertOffered: offered,
            clientCertRequested: h.clientCertRequested,
          },
        ),
        ...requestEvidence(h, ctx.lang),
      ],
      fix,
    });
  },
};
