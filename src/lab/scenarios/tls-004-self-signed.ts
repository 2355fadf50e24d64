import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-004-self-signed',
  story: { en: 'The server uses a self-signed certificate.', zh: '服务器使用自签名证书。' },
  expect: 'TLS-004',
  target: 'self.lab.test:443',
  args: ['--ca', '{ca}'],
};
