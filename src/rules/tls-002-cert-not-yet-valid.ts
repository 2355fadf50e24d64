import { chainData, clockEvidence, day, daysBetween, firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-002',
  slug: 'cert-not-yet-valid',
  layer: 'tls',
  severity: 'error',
  title: { en: 'The certificate of {server} is not valid before {notBefore}', zh: '{server} 的证书尚未生效（{notBefore} 起生效）' },
  explanation: {
    en: "The certificate {subject} presented by {server} becomes valid only at {notBefore}, {days} days from this machine's clock. Either the certificate was issued with a future start date, or, far more often, the local clock is behind: check it first (HOST-003).",
    zh: '{server} 提供的证书（{subject}）要到 {notBefore} 才生效，比本机时间晚 {days} 天。要么证书的生效时间被设在未来，要么（更常见）本机时间落后：请先检查本机时间（HOST-003）。',
  },
  evidence: {
    en: 'The leaf certificate: subject, notBefore and the local time; the verification error (CERT_NOT_YET_VALID).',
    zh: '叶子证书的主题、notBefore 与本机时间；校验错误（CERT_NOT_YET_VALID）。',
  },
  fix: [
    { summary: { en: 'Check the local clock and enable NTP', zh: '检查本机时间并启用 NTP 同步' }, command: 'timedatectl set-ntp true' },
    { summary: { en: 'If the clock is right, reissue the certificate for {subject} with a start date in the past', zh: '如果本机时间正确，为 {subject} 重新签发生效时间不在未来的证书' } },
  ],
  explains: ['APP-002'],
};

const M = defineMessages('TLS-002', {
  notYet: msg(
    (p: { at: number; subject: string; notBefore: string; now: string; days: number; verify: string | null }) =>
      `certificate #${p.at} ${p.subject}: notBefore ${p.notBefore}, local time ${p.now} (${p.days} days earlier); verify: ${p.verify ?? 'failed'}`,
    (p) => `证书 #${p.at} ${p.subject}：notBefore ${p.notBefore}，本机时间 ${p.now}（早 ${p.days} 天）；验证结果：${p.verify ?? '失败'}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-002');
    if (!hit) return null;
    const { h, cls } = hit;
    const at = cls.certIndex ?? 0;
    const c = h.chain[at] ?? h.chain[0]!;
    const start = Date.parse(c.notBefore);
    const days = start > ctx.now.getTime() ? daysBetween(start, ctx.now) : 0;
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), subject: c.subject, notBefore: day(c.notBefore), days },
      evidence: [
        evidence('tls.handshake', M.notYet({ at, subject: c.subject, notBefore: c.notBefore, now: ctx.now.toISOString(), days, verify: h.verify.code ?? h.errorCode ?? null }), {
          address: h.address,
          port: h.port,
          sni: h.sni,
          subject: c.subject,
          notBefore: c.notBefore,
          localTime: ctx.now.toISOString(),
          verifyCode: h.verify.code,
          chain: chainData(h.chain),
        }),
        ...clockEvidence(ctx),
      ],
    });
  },
};
