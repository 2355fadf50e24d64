import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-006-small-dh-params',
  story: {
    en: 'A legacy service on port 4401 still uses 480-bit Diffie-Hellman parameters; a client limited to TLS 1.2 refuses the key exchange (ERR_SSL_MODULUS_TOO_SMALL).',
    zh: '4401 端口上的旧服务仍在使用 480 位的 Diffie-Hellman 参数；限定 TLS 1.2 的客户端拒绝了该密钥交换（ERR_SSL_MODULUS_TOO_SMALL）。',
  },
  expect: 'TLS-006',
  // A TLS-only option on a port that is not 443: netdx must speak TLS there.
  target: 'www.lab.test:4401',
  args: ['--ca', '{ca}', '--tls-max', '1.2'],
  async inject(lab) {
    await hostile(lab, 'small-dh', 4401);
  },
};
