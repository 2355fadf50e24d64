import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'app-002-https-503',
  story: { en: 'Over HTTPS with a valid certificate, the API answers 503.', zh: '通过证书有效的HTTPS访问，API返回503。' },
  expect: 'APP-002',
  target: 'https://api.lab.test/',
  args: ['--ca', '{ca}'],
};
