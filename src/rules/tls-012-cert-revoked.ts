import { day, firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg } from './types.js';

/**
 * TLS-012 (beyond ../shared/faults.md): the server's own stapled OCSP response says its
 * certificate is revoked. Node does not check revocation, so the handshake "works"; browsers that
 * honour the staple (and every client after the CRL reaches it) refuse it. The fix is a new
 * certificate (and key, when the reason is a compromise), not trust or chain work.
 */
export const meta: RuleMeta = {
  code: 'TLS-012',
  slug: 'cert-revoked',
  layer: 'tls',
  severity: 'error',
  title: { en: 'The certificate of {server} is revoked', zh: '{server} 的证书已被吊销' },
  explanation: {
    en: 'The OCSP response that {server} staples to its handshake says its certificate {subject} (serial {serial}) was revoked on {revokedAt}{reason}. Clients that check revocation refuse it; the others trust a certificate its CA has withdrawn.',
    zh: '{server} 在握手中附带（stapling）的 OCSP 响应表明其证书 {subject}（序列号 {serial}）已于 {revokedAt} 被吊销{reason}。检查吊销状态的客户端会拒绝它；其余客户端则在信任一张已被 CA 撤回的证书。',
  },
  evidence: {
    en: 'The stapled OCSP response: its status, the serial it speaks of, the revocation time and reason, its validity window.',
    zh: '服务器附带的 OCSP 响应：其状态、所针对的证书序列号、吊销时间与原因、有效期。',
  },
  fix: [
    {
      summary: {
        en: 'Issue a new certificate for the server (with a new key if the reason is keyCompromise), install it, and reload the server so it staples a fresh OCSP response',
        zh: '为服务器签发新证书（若原因为 keyCompromise，同时更换私钥），安装后重新加载服务器，使其附带新的 OCSP 响应',
      },
    },
  ],
  explains: ['APP-002', 'TLS-008'],
};

/** The revocation reason in the language's parentheses, or nothing. */
const because = (reason: string | null, lang: 'en' | 'zh'): string => (reason ? (lang === 'zh' ? `（${reason}）` : ` (${reason})`) : '');

type Why = { server: string; subject: string; serial: string; revokedAt: string; reason: string | null };

const M = defineMessages('TLS-012', {
  /** The meta's explanation with the reason (when the response gives one) in the language's parentheses. */
  revoked: msg(
    (p: Why) => fill(meta.explanation.en, { server: p.server, subject: p.subject, serial: p.serial, revokedAt: p.revokedAt, reason: because(p.reason, 'en') }),
    (p) => fill(meta.explanation.zh, { server: p.server, subject: p.subject, serial: p.serial, revokedAt: p.revokedAt, reason: because(p.reason, 'zh') }),
  ),
  ocsp: msg(
    (p: { status: string | null; serial: string; revokedAt: string | null; reason: string | null; thisUpdate: string | null; nextUpdate: string | null }) =>
      `stapled OCSP response (${p.status ?? '?'}): certificate serial ${p.serial} revoked${p.revokedAt ? ` at ${p.revokedAt}` : ''}${because(p.reason, 'en')}; response valid ${p.thisUpdate ?? '?'} – ${p.nextUpdate ?? '?'}`,
    (p) =>
      `服务器附带的 OCSP 响应（${p.status ?? '?'}）：序列号为 ${p.serial} 的证书${p.revokedAt ? `已于 ${p.revokedAt} ` : '已'}被吊销${because(p.reason, 'zh')}；响应有效期 ${p.thisUpdate ?? '?'} – ${p.nextUpdate ?? '?'}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-012');
    if (!hit) return null;
    const { h } = hit;
    const o = h.ocsp!;
    const leaf = h.chain[0]!;
    const reason = o.reason ?? null;
    const vars = { server: serverLabel(h), subject: leaf.subject, serial: leaf.serial, revokedAt: o.revokedAt ? day(o.revokedAt) : '?' };
    return makeFinding(meta, ctx, {
      vars,
      explanation: M.revoked({ ...vars, reason }),
      evidence: [
        evidence(
          'tls.handshake',
          M.ocsp({
            status: o.responseStatus ?? null,
            serial: leaf.serial,
            revokedAt: o.revokedAt ?? null,
            reason,
            thisUpdate: o.thisUpdate ?? null,
            nextUpdate: o.nextUpdate ?? null,
          }),
          {
            address: h.address,
            port: h.port,
            sni: h.sni,
            serial: leaf.serial,
            ocsp: { ...o },
          },
        ),
      ],
    });
  },
};
