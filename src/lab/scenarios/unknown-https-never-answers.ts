import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-https-never-answers',
  story: {
    en: 'Over a valid TLS channel the web server never answers the request.',
    zh: '在有效的 TLS 通道上，Web 服务器从不回应请求。',
  },
  expect: 'unknown',
  target: 'https://www.lab.test:4409/',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'http-silent', 4409, { tls: true });
  },
};
