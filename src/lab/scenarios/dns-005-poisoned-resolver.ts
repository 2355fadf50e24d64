import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'dns-005-poisoned-resolver',
  story: {
    en: "A branch's DNS cache was injected with a wrong server IP: the first resolver answers a wrong address, the second the right one.",
    zh: '某分支机构DNS缓存被注入错误服务器IP：第一台DNS返回错误地址，第二台返回正确地址。',
  },
  expect: 'DNS-005',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.dns('ns1', { kind: 'poisoned', name: 'www.lab.test', address: SERVICES.gone.v4 });
  },
};
