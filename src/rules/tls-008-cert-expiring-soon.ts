import { classifyAll, day, serverLabel, warnsExpiry } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg } from './types.js';

const DAY = 86_400_000;

export const meta: RuleMeta = {
  code: 'TLS-008',
  slug: 'cert-expiring-soon',
  layer: 'tls',
  severity: 'warning',
  title: { en: 'The certificate of {server} expires in {days} days', zh: '{server} 的证书即将过期（剩余 {days} 天）' },
  explanation: {
    en: 'The certificate {subject} presented by {server} is valid today but expires on {notAfter}, in {days} days (warning window: {warnDays} days). Renew it before clients start refusing the connection.',
    zh: '{server} 提供的证书（{subject}）目前有效，但将于 {notAfter} 过期，剩余 {days} 天（告警窗口：{warnDays} 天）。请在客户端开始拒绝连接之前续期。',
  },
  evidence: { en: 'The leaf certificate: subject, notAfter and the days left.', zh: '叶子证书的主题、notAfter 及剩余天数。' },
  fix: [
    {
      summary: {
        en: 'Renew the certificate for {subject} before {notAfter}, and make renewal automatic (e.g. certbot renew from a timer)',
        zh: '在 {notAfter} 之前为 {subject} 续期证书，并设置自动续期（例如定时运行 certbot renew）',
      },
    },
  ],
};

const M = defineMessages('TLS-008', {
  expiring: msg(
    (p: { subject: string; notAfter: string; days: number; warnDays: number }) => `certificate ${p.subject}: notAfter ${p.notAfter}, ${p.days} days left (window ${p.warnDays} days)`,
    (p) => `证书 ${p.subject}：notAfter ${p.notAfter}，还剩 ${p.days} 天（告警窗口 ${p.warnDays} 天）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const now = ctx.now.getTime();
    const window = ctx.options.certWarnDays * DAY;
    for (const { h, cls } of classifyAll(ctx)) {
      const leaf = h.chain[0];
      if (!leaf || !warnsExpiry(cls)) continue;
      const end = Date.parse(leaf.notAfter);
      if (!(Date.parse(leaf.notBefore) <= now && now < end && end - now <= window)) continue;
      const days = Math.floor((end - now) / DAY);
      return makeFinding(meta, ctx, {
        vars: { server: serverLabel(h), subject: leaf.subject, notAfter: day(leaf.notAfter), days, warnDays: ctx.options.certWarnDays },
        evidence: [
          evidence('tls.handshake', M.expiring({ subject: leaf.subject, notAfter: leaf.notAfter, days, warnDays: ctx.options.certWarnDays }), {
            address: h.address,
            port: h.port,
            sni: h.sni,
            subject: leaf.subject,
            notAfter: leaf.notAfter,
            daysLeft: days,
          }),
        ],
      });
    }
    return null;
  },
};
