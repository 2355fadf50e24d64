import type { Scenario } from '../scenario.js';
import { revokedStaple } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-012-revoked-stapled',
  story: {
    en: 'The server\'s key leaked and its CA revoked the certificate; the server still uses it and even staples the OCSP response that says "revoked".',
    zh: '服务器私钥泄露，CA 已吊销其证书；服务器仍在使用该证书，甚至在握手中附带了表明"已吊销"的 OCSP 响应。',
  },
  expect: 'TLS-012',
  target: 'www.lab.test:4416',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await revokedStaple(lab, 4416);
  },
};
