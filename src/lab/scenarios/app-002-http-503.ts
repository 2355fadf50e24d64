import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'app-002-http-503',
  story: { en: 'The API answers 503 Service Unavailable (its backend pool is empty).', zh: 'API返回503服务不可用（后端池为空）。' },
  expect: 'APP-002',
  target: 'http://api.lab.test/',
};
