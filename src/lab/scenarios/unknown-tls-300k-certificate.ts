import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-tls-300k-certificate',
  story: {
    en: "The server sends a 300 KB certificate message, over the client's limit (ERR_SSL_EXCESSIVE_MESSAGE_SIZE): netdx must not call it ok, and shows the raw error.",
    zh: '服务器发送了 300 KB 的证书消息，超过客户端上限（ERR_SSL_EXCESSIVE_MESSAGE_SIZE）：netdx 不能报正常，并给出原始错误。',
  },
  expect: 'unknown',
  target: 'tls://www.lab.test:4405',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'big-cert', 4405);
  },
};
