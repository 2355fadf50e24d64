import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tcp-004-reset-after-client-hello',
  story: {
    en: 'A firewall in front of the service resets the connection as soon as it sees the ClientHello.',
    zh: '服务前面的防火墙一看到 ClientHello 就重置了连接。',
  },
  expect: 'TCP-004',
  // The handshake never happened: the TLS row must not say pass.
  layerStatus: { tls: 'unknown' },
  target: 'tls://www.lab.test:4407',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'reset', 4407);
  },
};
