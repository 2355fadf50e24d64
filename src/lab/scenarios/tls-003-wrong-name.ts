import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-003-wrong-name',
  story: { en: "The server presents another site's certificate (other.lab.test): the name does not match.", zh: '服务器出示了另一个站点的证书（other.lab.test）：域名不匹配。' },
  expect: 'TLS-003',
  target: 'wrongname.lab.test:443',
  args: ['--ca', '{ca}'],
};
