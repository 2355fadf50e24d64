import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-008-expiring-soon',
  story: { en: 'The certificate is valid but expires in 10 days: a warning (TLS-008), the service works.', zh: '证书有效但10天后过期：只是警告（TLS-008），服务正常。' },
  expect: 'ok',
  alsoExpect: ['TLS-008'],
  target: 'soon.lab.test:443',
  args: ['--ca', '{ca}'],
};
