import { chainData, clockEvidence, day, daysBetween, firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-001',
  slug: 'cert-expired',
  layer: 'tls',
  severity: 'error',
  title: { en: 'The certificate of {server} expired {days} days ago', zh: '{server} 的证书已过期（{days} 天前）' },
  explanation: {
    en: 'The certificate {subject} presented by {server} was valid until {notAfter}, {days} days ago, so every client that verifies it refuses the connection. If the certificate looks fine on the server, check the local clock (HOST-003).',
    zh: '{server} 提供的证书（{subject}）有效期截至 {notAfter}，已过期 {days} 天，所有校验证书的客户端都会拒绝连接。如果服务器上的证书看起来正常，请检查本机时间（HOST-003）。',
  },
  evidence: {
    en: 'The leaf certificate: subject, notAfter and the days since; the verification error (CERT_HAS_EXPIRED).',
    zh: '叶子证书的主题、notAfter 及已过期天数；校验错误（CERT_HAS_EXPIRED）。',
  },
  fix: [{ summary: { en: 'Renew the certificate for {subject} (expired {notAfter}) and reload the server', zh: '为 {subject} 续期证书（已于 {notAfter} 过期）并重新加载服务' } }],
  explains: ['APP-002'],
};

type Named = { subject: string; at: number; server: string; notAfter: string; days: number };
/** The meta's texts with an intermediate certificate named as such: '{subject} (intermediate #1)'. */
const named = (lang: 'en' | 'zh', template: string, p: Named): string =>
  fill(template, { ...p, subject: lang === 'zh' ? `${p.subject}（中间证书 #${p.at}）` : `${p.subject} (intermediate #${p.at})` });

const M = defineMessages('TLS-001', {
  expired: msg(
    (p: { at: number; subject: string; notAfter: string; days: number; verify: string | null }) =>
      `certificate #${p.at} ${p.subject}: notAfter ${p.notAfter} (${p.days} days ago); verify: ${p.verify ?? 'failed'}`,
    (p) => `证书 #${p.at} ${p.subject}：notAfter ${p.notAfter}（已过期 ${p.days} 天）；验证结果：${p.verify ?? '失败'}`,
  ),
  intermediateExplanation: msg(
    (p: Named) => named('en', meta.explanation.en, p),
    (p) => named('zh', meta.explanation.zh, p),
  ),
  intermediateRenew: msg(
    (p: Named) => named('en', meta.fix[0]!.summary.en, p),
    (p) => named('zh', meta.fix[0]!.summary.zh, p),
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-001');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const c = h.chain[at] ?? h.chain[0]!;
    const days = Date.parse(c.notAfter) < ctx.now.getTime() ? daysBetween(ctx.now, Date.parse(c.notAfter)) : 0;
    const vars = { server: serverLabel(h), subject: c.subject, notAfter: day(c.notAfter), days };
    // An intermediate is named as such in the explanation and the fix (the meta's texts, the subject marked).
    const intermediate = at === 0 ? {} : { explanation: M.intermediateExplanation({ ...vars, at }), fix: [{ summary: M.intermediateRenew({ ...vars, at }) }] };
    return makeFinding(meta, ctx, {
      vars,
      ...intermediate,
      evidence: [
        evidence('tls.handshake', M.expired({ at, subject: c.subject, notAfter: c.notAfter, days, verify: h.verify.code ?? h.errorCode ?? null }), {
          address: h.address,
          port: h.port,
          sni: h.sni,
          subject: c.subject,
          notAfter: c.notAfter,
          daysAgo: days,
          verifyCode: h.verify.code,
          chain: chainData(h.chain),
        }),
        ...clockEvidence(ctx),
      ],
    });
  },
};
