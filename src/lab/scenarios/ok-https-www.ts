import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-https-www',
  story: { en: 'Healthy baseline, HTTPS: nginx answers 200 over TLS with a valid chain.', zh: '健康基线（HTTPS）：nginx 通过有效证书链的TLS返回 200。' },
  expect: 'ok',
  offline: 'ok',
  target: 'https://www.lab.test/',
  args: ['--ca', '{ca}'],
};
