import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-tls-unexpected-message',
  story: {
    en: 'A broken TLS terminator answers the ClientHello with a handshake message out of order (ERR_SSL_UNEXPECTED_MESSAGE): no fault code names it, so netdx must say it could not judge — never ok.',
    zh: '故障的 TLS 终结设备用顺序错误的握手消息回应 ClientHello（ERR_SSL_UNEXPECTED_MESSAGE）：没有故障代码能命名它，netdx 必须说明无法判定，绝不能报正常。',
  },
  expect: 'unknown',
  target: 'tls://www.lab.test:4402',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'unexpected', 4402);
  },
};
