import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tcp-004-fin-after-client-hello',
  story: {
    en: 'The server reads the ClientHello and closes its side (FIN) without a word: a close, not a reset, and the TLS layer did not pass.',
    zh: '服务器读取 ClientHello 后一言不发地关闭了连接（FIN）：这是关闭而不是重置，TLS 层也未通过。',
  },
  expect: 'TCP-004',
  // The handshake never happened: the TLS row must not say pass.
  layerStatus: { tls: 'unknown' },
  target: 'tls://www.lab.test:4406',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'fin', 4406);
  },
};
