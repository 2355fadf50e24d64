import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-005-missing-intermediate',
  story: { en: 'The server sends only its leaf certificate, without the intermediate.', zh: '服务器只发送了叶子证书，缺少中间证书。' },
  expect: 'TLS-005',
  target: 'nochain.lab.test:443',
  args: ['--ca', '{ca}'],
};
