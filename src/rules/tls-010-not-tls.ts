import type { Rule, RuleMeta } from './types.js';

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
  evidence: { en: 'The first bytes the server sent (printable), or the TLS stack\'s record error.', zh: '服务器发送的前若干字节（可打印部分），或 TLS 协议栈的记录层错误。' },
  fix: [
    { summary: { en: 'Use the TLS port of the service, or connect without TLS if {address}:{port} is meant to be plain {service}', zh: '改用该服务的 TLS 端口；如果 {address}:{port} 本就是明文 {service} 服务，则不要使用 TLS 连接' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
};

export const rule: Rule = { meta, check: () => null };
