import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-006-server-tls10-only',
  story: { en: 'A legacy server speaks only TLS 1.0/1.1; the client requires TLS 1.2 or later.', zh: '老旧服务器只支持TLS 1.0/1.1；客户端要求TLS 1.2及以上。' },
  expect: 'TLS-006',
  target: 'old.lab.test:443',
  args: ['--ca', '{ca}'],
};
