import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'host-001-link-down',
  story: { en: "The client's only network interface is down (cable pulled, adapter disabled).", zh: '客户端唯一的网卡处于down状态（网线拔出、网卡被禁用）。' },
  expect: 'HOST-001',
  offline: 'HOST-001',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('client', 'link set eth0 down', 'link set eth0 up');
  },
};
