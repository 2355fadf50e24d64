import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-007-client-cert-required',
  story: { en: 'The server requires a client certificate and the client has none configured.', zh: '服务器要求客户端证书，而客户端没有配置。' },
  expect: 'TLS-007',
  target: 'mtls.lab.test:443',
  args: ['--ca', '{ca}'],
};
