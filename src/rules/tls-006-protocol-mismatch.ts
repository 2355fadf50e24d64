import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-006',
  slug: 'protocol-mismatch',
  layer: 'tls',
  severity: 'error',
  title: { en: 'No common TLS version or cipher with {server}', zh: '与 {server} 的 TLS版本/加密套件不匹配' },
  explanation: {
    en: 'The handshake with {server} failed because client and server share no TLS version or cipher suite ({reason}). The client offered {clientRange}; {serverSide}.',
    zh: '与 {server} 的 TLS 握手失败：客户端和服务器没有共同支持的 TLS 版本或加密套件（{reason}）。客户端提供的版本范围是 {clientRange}；{serverSide}。',
  },
  evidence: { en: 'The alert or error of the failed handshake, and the versions the server accepts against the client\'s range.', zh: '握手失败时的告警或错误，以及服务器接受的版本与客户端版本范围的对比。' },
  fix: [
    { summary: { en: 'Upgrade the server to support TLS 1.2 or 1.3 (preferred), or widen the client range if you must talk to the legacy server', zh: '升级服务器以支持 TLS 1.2 或 1.3（推荐）；如果必须访问旧服务器，放宽客户端的版本范围' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
};

export const rule: Rule = { meta, check: () => null };
