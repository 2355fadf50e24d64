import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-010-garbage-after-client-hello',
  story: {
    en: 'The port answers the ClientHello with bytes that are not TLS at all (a misconfigured proxy spewing binary).',
    zh: '该端口用根本不是 TLS 的字节回应 ClientHello（配置错误的代理吐出二进制数据）。',
  },
  expect: 'TLS-010',
  target: 'tls://www.lab.test:4403',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'garbage', 4403);
  },
};
