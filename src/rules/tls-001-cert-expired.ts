import { chainData, clockEvidence, day, daysBetween, firstWith, serverLabel } from './tls-classify.js';
import { tr } from './helpers.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';

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

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-001');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const c = h.chain[at] ?? h.chain[0]!;
    const days = Date.parse(c.notAfter) < ctx.now.getTime() ? daysBetween(ctx.now, Date.parse(c.notAfter)) : 0;
    const subject = at === 0 ? c.subject : tr(ctx.lang, `${c.subject} (intermediate #${at})`, `${c.subject}（中间证书 #${at}）`);
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), subject, notAfter: day(c.notAfter), days },
      evidence: [
        evidence(
          'tls.handshake',
          tr(
            ctx.lang,
            `certificate #${at} ${c.subject}: notAfter ${c.notAfter} (${days} days ago); verify: ${h.verify.code ?? h.errorCode ?? 'failed'}`,
            `证书 #${at} ${c.subject}：notAfter ${c.notAfter}（已过期 ${days} 天）；验证结果：${h.verify.code ?? h.errorCode ?? '失败'}`,
          ),
          {
            address: h.address,
            port: h.port,
            sni: h.sni,
            subject: c.subject,
            notAfter: c.notAfter,
            daysAgo: days,
            verifyCode: h.verify.code,
            chain: chainData(h.chain),
          },
        ),
        ...clockEvidence(ctx),
      ],
    });
  },
};
