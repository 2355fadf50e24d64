import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-tls-www',
  story: { en: 'Healthy baseline, TLS: a valid certificate with its intermediate, trusted through the lab CA.', zh: '健康基线（TLS）：证书有效、链完整，由实验室CA签发并受信任。' },
  expect: 'ok',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
};
