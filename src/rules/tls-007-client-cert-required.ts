import { alertName, firstWith, serverLabel, type Handshake } from './tls-classify.js';
import type { FixPart, Rule, RuleContext, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg, ofKind } from './types.js';
import type { Evidence, Finding } from '../model/report.js';
import type { ObservationData } from '../model/observation.js';

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
function requestEvidence(h: Handshake): Evidence[] {
  if (h.clientCertRequested !== true) return [];
  const cas = [...(h.clientCertCAs ?? [])];
  return [
    evidence('tls.handshake', M.request({ server: serverLabel(h), protocol: h.protocol, cas }), {
      protocol: h.protocol,
      clientCertRequested: true,
      acceptableCAs: [...cas],
    }),
  ];
}

/** Which certificate to present: one issued by the CAs the server named, when it named them. */
function presentFix(ctx: RuleContext, h: Handshake): FixPart {
  const cas = [...(h.clientCertCAs ?? [])];
  const target = ctx.target.input;
  return { summary: cas.length > 0 ? M.presentNamed({ cas, target }) : M.presentAny({ target }) };
}

/** The handshake completed, then the server refused the request (nginx 400): TLS-007 all the same. */
function afterHandshake(ctx: RuleContext): Finding | null {
  const hit = refusalAfterHandshake(ctx);
  if (!hit) return null;
  const { h, r } = hit;
  const offered = h.clientCertOffered;
  const words = (r.body?.text ?? '').match(MTLS_PAGE)?.[0] ?? '';
  const server = serverLabel(h);
  return makeFinding(meta, ctx, {
    vars: { server },
    explanation: M.refusedHttp({ server, words, offered, certFile: ctx.options.certFile ?? null }),
    evidence: [
      ...requestEvidence(h),
      evidence('http.response', M.page({ url: r.url, words, text: r.body?.text ?? '', offered }), {
        url: r.url,
        status: r.status,
        words,
        text: r.body?.text ?? null,
        server: r.server,
        clientCertOffered: offered,
      }),
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

/** Why the server refused, from the alert and whether a certificate was offered (the meta's {situation}). */
const situation = (lang: 'en' | 'zh', p: { alert: string; offered: boolean }): string => {
  const zh = lang === 'zh';
  if (!p.offered) return zh ? '客户端没有提供证书。' : 'no client certificate was offered.';
  if (p.alert === 'unknown_ca') return zh ? '客户端提供的证书不是由服务器信任的 CA 签发的。' : 'the client certificate offered is not issued by a CA the server trusts.';
  if (p.alert === 'certificate_expired')
    return zh
      ? '服务器认为客户端提供的证书已过期（该告警针对客户端证书，而非服务器证书）。'
      : "the server says the client certificate offered has expired (this alert is about the client certificate, not the server's).";
  if (p.alert === 'certificate_revoked') return zh ? '服务器认为客户端提供的证书已被吊销。' : 'the server says the client certificate offered is revoked.';
  return zh ? `服务器拒绝了客户端提供的证书（${p.alert}）。` : `the server rejected the client certificate offered (${p.alert}).`;
};

/** The same after a completed handshake: the server's HTTP 400 words stand for the alert. */
type Http = { server: string; words: string; offered: boolean; certFile: string | null };
const httpSituation = (lang: 'en' | 'zh', p: Http): string => {
  if (lang === 'zh')
    return p.offered
      ? `握手完成后，服务器返回 HTTP 400 "${p.words}"：它拒绝了客户端提供的证书${p.certFile ? `（${p.certFile}）` : ''}。`
      : `握手完成后，服务器返回 HTTP 400 "${p.words}"：客户端没有提供证书。`;
  return p.offered
    ? `the handshake completed, then the server answered HTTP 400 "${p.words}": it refused the client certificate offered${p.certFile ? ` (${p.certFile})` : ''}.`
    : `the handshake completed, then the server answered HTTP 400 "${p.words}": no client certificate was offered.`;
};

const M = defineMessages('TLS-007', {
  /** The meta's explanation with the situation said in the language. */
  refusedAlert: msg(
    (p: { server: string; alert: string; offered: boolean }) => fill(meta.explanation.en, { server: p.server, alert: p.alert, situation: situation('en', p) }),
    (p) => fill(meta.explanation.zh, { server: p.server, alert: p.alert, situation: situation('zh', p) }),
  ),
  refusedHttp: msg(
    (p: Http) => fill(meta.explanation.en, { server: p.server, alert: 'an HTTP 400 refusal instead of an alert', situation: httpSituation('en', p) }),
    (p) => fill(meta.explanation.zh, { server: p.server, alert: 'HTTP 400 拒绝（而非告警）', situation: httpSituation('zh', p) }),
  ),
  alert: msg(
    (p: { server: string; alert: string; errorCode: string | null; offered: boolean; requested: boolean | null }) =>
      `TLS ${p.server}: alert ${p.alert}${p.errorCode ? ` (${p.errorCode})` : ''}; client certificate offered: ${p.offered ? 'yes' : 'no'}; certificate requested: ${p.requested === null ? 'unknown' : p.requested ? 'yes' : 'no'}`,
    (p) =>
      `TLS ${p.server}：收到 ${p.alert} 告警${p.errorCode ? `（${p.errorCode}）` : ''}；客户端是否提供证书：${p.offered ? '是' : '否'}；服务器是否要求证书：${p.requested === null ? '未知' : p.requested ? '是' : '否'}`,
  ),
  request: msg(
    (p: { server: string; protocol: string | null; cas: string[] }) =>
      `CertificateRequest from ${p.server} (${p.protocol ?? 'TLS'}): ${p.cas.length > 0 ? `acceptable CAs: ${p.cas.join('; ')}` : 'no CA names sent (any CA the server trusts)'}`,
    (p) => `${p.server} 发送了 CertificateRequest（${p.protocol ?? 'TLS'}）：${p.cas.length > 0 ? `可接受的 CA：${p.cas.join('；')}` : '未列出 CA 名称（服务器信任的任何 CA 均可）'}`,
  ),
  page: msg(
    (p: { url: string; words: string; text: string; offered: boolean }) => `${p.url}: HTTP 400 "${p.words}" (page: ${p.text}); client certificate offered: ${p.offered ? 'yes' : 'no'}`,
    (p) => `${p.url}：HTTP 400 "${p.words}"（页面内容：“${p.text}”）；客户端是否提供证书：${p.offered ? '是' : '否'}`,
  ),
  useAccepted: msg(
    (p: { certFile: string | null }) =>
      `Use a client certificate that the server accepts: issued by the CA the server trusts for clients, valid today, with extendedKeyUsage clientAuth${p.certFile ? ` (offered: ${p.certFile})` : ''}`,
    (p) => `使用服务器接受的客户端证书：由服务器信任的客户端 CA 签发、当前有效、extendedKeyUsage 包含 clientAuth${p.certFile ? `（当前提供的是：${p.certFile}）` : ''}`,
  ),
  presentNamed: msg(
    (p: { cas: string[]; target: string }) =>
      `Present a client certificate (and its key) issued by ${p.cas.length === 1 ? 'the CA the server names' : 'one of the CAs the server names'}: ${p.cas.join('; ')}; to check it with netdx: netdx diagnose ${p.target} --cert CLIENT.pem --key CLIENT.key`,
    (p) => `提供由服务器指定的 CA 签发的客户端证书（及私钥）：${p.cas.join('；')}；可用 netdx 验证：netdx diagnose ${p.target} --cert CLIENT.pem --key CLIENT.key`,
  ),
  presentAny: msg(
    (p: { target: string }) =>
      `Present a client certificate (and its key) issued by the CA the server trusts for clients; to check it with netdx: netdx diagnose ${p.target} --cert CLIENT.pem --key CLIENT.key`,
    (p) => `提供由服务器信任的客户端 CA 签发的证书（及私钥）；可用 netdx 验证：netdx diagnose ${p.target} --cert CLIENT.pem --key CLIENT.key`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-007');
    if (!hit) return afterHandshake(ctx);
    const { h } = hit;
    const alert = alertName(h) ?? 'handshake_failure';
    const offered = h.clientCertOffered;
    const server = serverLabel(h);
    const fix = offered ? [{ summary: M.useAccepted({ certFile: ctx.options.certFile ?? null }) }] : [presentFix(ctx, h)];
    return makeFinding(meta, ctx, {
      vars: { server, alert },
      explanation: M.refusedAlert({ server, alert, offered }),
      evidence: [
        evidence('tls.handshake', M.alert({ server, alert, errorCode: h.errorCode, offered, requested: h.clientCertRequested }), {
          address: h.address,
          port: h.port,
          sni: h.sni,
          alert,
          errorCode: h.errorCode,
          protocol: h.protocol,
          clientCertOffered: offered,
          clientCertRequested: h.clientCertRequested,
        }),
        ...requestEvidence(h),
      ],
      fix,
    });
  },
};
