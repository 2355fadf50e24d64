import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-http-garbage-answer',
  story: {
    en: 'The port answers an HTTP request with binary garbage, not HTTP.',
    zh: '该端口用二进制垃圾数据而不是 HTTP 回应 HTTP 请求。',
  },
  expect: 'unknown',
  target: 'http://www.lab.test:4410/',
  async inject(lab) {
    await hostile(lab, 'http-garbage', 4410);
  },
};
