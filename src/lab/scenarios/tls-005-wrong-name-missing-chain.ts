import type { Scenario } from '../scenario.js';
import { sServer } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-005-wrong-name-missing-chain',
  story: {
    en: "The server presents another site's certificate (other.lab.test) and forgets its intermediate: two independent certificate problems, each a finding.",
    zh: '服务器出示了另一个站点的证书（other.lab.test），而且没有发送中间证书：两个相互独立的证书问题，各自成为一条发现。',
  },
  expect: 'TLS-005',
  alsoExpect: ['TLS-003'],
  target: 'www.lab.test:4415',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    const { cert, key } = lab.pki.leaf('wrongname');
    await sServer(lab, 4415, { cert, key });
  },
};
