import { firstWith } from './tls-classify.js';
import { hostPort } from './tcp-common.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg } from './types.js';

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

/** What came back instead of TLS: the banner (and the service it names), else the record error. */
type Reply = { banner: string | null; service: string | null; errorCode: string | null };
const whatText = (p: Reply, lang: 'en' | 'zh'): string => {
  if (lang === 'zh') return p.banner ? `它返回了 "${p.banner}"${p.service ? `（${p.service} 服务）` : ''}` : `返回的数据不是 TLS 记录（${p.errorCode ?? '非 TLS'}）`;
  return p.banner ? `it sent "${p.banner}"${p.service ? ` (an ${p.service} server)` : ''}` : `the reply is not a TLS record (${p.errorCode ?? 'not TLS'})`;
};

type Port = { address: string; port: number };

const M = defineMessages('TLS-010', {
  /** The meta's explanation with what came back said in the language. */
  notTls: msg(
    (p: Port & Reply) => fill(meta.explanation.en, { address: p.address, port: p.port, what: whatText(p, 'en') }),
    (p) => fill(meta.explanation.zh, { address: p.address, port: p.port, what: whatText(p, 'zh') }),
  ),
  /** The meta's fix; an unrecognized service is plain text. */
  otherPort: msg(
    (p: Port & { service: string | null }) => fill(meta.fix[0]!.summary.en, { address: p.address, port: p.port, service: p.service ?? 'text' }),
    (p) => fill(meta.fix[0]!.summary.zh, { address: p.address, port: p.port, service: p.service ?? '文本' }),
  ),
  plainHttp: msg(
    (p: { dst: string }) => `${p.dst} speaks plain HTTP: use http:// for this port, or the server's HTTPS port`,
    (p) => `${p.dst} 是明文 HTTP：对该端口使用 http://，或改用服务器的 HTTPS 端口`,
  ),
  reply: msg(
    (p: { dst: string; banner: string | null; errorCode: string | null }) =>
      `TLS ${p.dst}: ${p.banner ? `server sent "${p.banner}"` : 'no TLS record in the reply'}${p.errorCode ? ` (${p.errorCode})` : ''}`,
    (p) => `TLS ${p.dst}：${p.banner ? `服务器返回了 "${p.banner}"` : '应答中没有 TLS 记录'}${p.errorCode ? `（${p.errorCode}）` : ''}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-010');
    if (!hit) return null;
    const { h } = hit;
    const banner = h.banner ? oneLine(h.banner) : null;
    const service = serviceOf(h.banner);
    const port = { address: h.address, port: h.port };
    const dst = hostPort(h.address, h.port);
    return makeFinding(meta, ctx, {
      vars: port,
      explanation: M.notTls({ ...port, banner, service, errorCode: h.errorCode }),
      evidence: [
        evidence('tls.handshake', M.reply({ dst, banner, errorCode: h.errorCode }), {
          address: h.address,
          port: h.port,
          banner: h.banner,
          errorCode: h.errorCode,
          ...(service ? { service } : {}),
        }),
      ],
      fix: [{ summary: service === 'HTTP' ? M.plainHttp({ dst }) : M.otherPort({ ...port, service }) }],
    });
  },
};
