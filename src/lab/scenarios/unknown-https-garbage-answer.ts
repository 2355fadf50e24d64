import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-https-garbage-answer',
  story: {
    en: 'Over a valid TLS channel, the server answers the HTTP request with binary garbage.',
    zh: '在有效的 TLS 通道上，服务器用二进制垃圾数据回应 HTTP 请求。',
  },
  expect: 'unknown',
  target: 'https://www.lab.test:4411/',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'http-garbage', 4411, { tls: true });
  },
};
