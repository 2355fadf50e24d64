import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-010-plain-http-port',
  story: { en: 'The client speaks TLS to the plain HTTP port.', zh: '客户端对明文HTTP端口发起了TLS连接。' },
  expect: 'TLS-010',
  target: 'tls://www.lab.test:80',
  args: ['--ca', '{ca}'],
};
