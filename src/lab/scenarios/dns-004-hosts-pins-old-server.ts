import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'dns-004-hosts-pins-old-server',
  story: { en: "The client's /etc/hosts still pins the name to the old server's address (nothing listens there any more).", zh: '客户端的/etc/hosts仍把域名指向旧服务器地址（那里已没有服务）。' },
  expect: 'DNS-004',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    lab.etc('client', 'hosts', `${lab.baselineEtc('client', 'hosts')}# old web server, before the move\n${SERVICES.gone.v4}\twww.lab.test\n`);
  },
};
