import { tr } from './helpers.js';
import { firstWith } from './tls-classify.js';
import { hostPort } from './tcp-common.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';

/** The service a banner names, when it is recognizable. */
export function serviceOf(banner: string | null): string | null {
  if (!banner) return null;
  if (/^SSH-\d/.test(banner)) return 'SSH';
  if (/^HTTP\/\d/.test(banner) || /^<(!doctype|html)/i.test(banner)) return 'HTTP';
  if (/^220[ -].*(SMTP|ESMTP|mail)/i.test(banner)) return 'SMTP';
  if (/^220[ -].*FTP/i.test(banner)) return 'FTP';
  if (/^\* OK/.test(banner)) return 'IMAP';
  if (/^\+OK/.test(banner)) return 'POP3';
  if (/^-ERR|^\+PONG/.test(banner)) return 'Redis';
  return null;
}

/** A banner fit for one line of evidence: control characters shown as \xNN, at most 120 characters. */
const oneLine = (s: string): string => {
  const trimmed = s.replace(/[\r\n]+$/, '');
  let t = '';
  for (const ch of trimmed) {
    const n = ch.charCodeAt(0);
    t += n < 0x20 || n === 0x7f ? `\\x${n.toString(16).padStart(2, '0')}` : ch;
  }
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
};

export const meta: RuleMeta = {
  code: 'TLS-010',
  slug: 'not-tls',
  layer: 'tls',
  severity: 'error',
  title: { en: '{address}:{port} does not speak TLS', zh: '{address}:{port} 端口非TLS服务' },
  explanation: {
    en: 'The port answers, but not with TLS: {what}. The client talks to the wrong port or the wrong service, or the server expects plain text (e.g. http:// instead of https://, or STARTTLS).',
    zh: '端口有响应，但不是 TLS：{what}。客户端连错了端口或服务，或者服务器期望明文协议（例如应使用 http:// 而非 https://，或需要 STARTTLS）。',
  },
  evidence: { en: "The first bytes the server sent (printable), or the TLS stack's record error.", zh: '服务器发送的前若干字节（可打印部分），或 TLS 协议栈的记录层错误。' },
  fix: [
    {
      summary: {
        en: 'Use the TLS port of the service, or connect without TLS if {address}:{port} is meant to be plain {service}',
        zh: '改用该服务的 TLS 端口；如果 {address}:{port} 本就是明文 {service} 服务，则不要使用 TLS 连接',
      },
    },
  ],
  explains: ['APP-002'],
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-010');
    if (!hit) return null;
    const { h } = hit;
    const banner = h.banner ? oneLine(h.banner) : null;
    const service = serviceOf(h.banner);
    const what = banner
      ? tr(ctx.lang, `it sent "${banner}"${service ? ` (an ${service} server)` : ''}`, `它返回了 "${banner}"${service ? `（${service} 服务）` : ''}`)
      : tr(ctx.lang, `the reply is not a TLS record (${h.errorCode ?? 'not TLS'})`, `返回的数据不是 TLS 记录（${h.errorCode ?? '非 TLS'}）`);
    const fix =
      service === 'HTTP'
        ? [
            {
              summary: tr(
                ctx.lang,
                `${hostPort(h.address, h.port)} speaks plain HTTP: use http:// for this port, or the server's HTTPS port`,
                `${hostPort(h.address, h.port)} 是明文 HTTP：对该端口使用 http://，或改用服务器的 HTTPS 端口`,
              ),
            },
          ]
        : undefined;
    return makeFinding(meta, ctx, {
      vars: { address: h.address, port: h.port, what, service: service ?? tr(ctx.lang, 'text', '文本') },
      evidence: [
        evidence(
          'tls.handshake',
          tr(
            ctx.lang,
            `TLS ${hostPort(h.address, h.port)}: ${banner ? `server sent "${banner}"` : 'no TLS record in the reply'}${h.errorCode ? ` (${h.errorCode})` : ''}`,
            `TLS ${hostPort(h.address, h.port)}：${banner ? `服务器返回了 "${banner}"` : '应答中没有 TLS 记录'}${h.errorCode ? `（${h.errorCode}）` : ''}`,
          ),
          {
            address: h.address,
            port: h.port,
            banner: h.banner,
            errorCode: h.errorCode,
            ...(service ? { service } : {}),
          },
        ),
      ],
      ...(fix ? { fix } : {}),
    });
  },
};
