import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-006-server-tls13-only',
  story: { en: 'The server was hardened to TLS 1.3 only; an old client library stops at TLS 1.2.', zh: '服务器加固为仅支持TLS 1.3；旧客户端库最高只支持TLS 1.2。' },
  expect: 'TLS-006',
  target: 'tls13.lab.test:443',
  args: ['--ca', '{ca}', '--tls-max', '1.2'],
};
