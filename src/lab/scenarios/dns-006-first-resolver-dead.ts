import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'dns-006-first-resolver-dead',
  story: {
    en: 'The first resolver in resolv.conf is dead (drops queries), the second answers: every lookup waits for the timeout first. The service works, slowly: a warning.',
    zh: 'resolv.conf中的首选DNS已失效（丢弃查询），第二台正常：每次解析都要先等超时。服务可用但变慢：属于警告。',
  },
  expect: 'ok',
  alsoExpect: ['DNS-006'],
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('dns', `-A INPUT -d ${ADDR.ns1} -p udp --dport 53 -j DROP`);
    await lab.iptables('dns', `-A INPUT -d ${ADDR.ns1} -p tcp --dport 53 -j DROP`);
  },
};
