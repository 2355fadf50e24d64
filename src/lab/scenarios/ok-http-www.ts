import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-http-www',
  story: { en: 'Healthy baseline, HTTP: nginx answers 200.', zh: '健康基线（HTTP）：nginx 返回 200。' },
  expect: 'ok',
  target: 'http://www.lab.test/',
};
