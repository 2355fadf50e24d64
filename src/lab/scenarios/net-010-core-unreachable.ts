import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-010-core-unreachable',
  story: { en: 'The core router has an unreachable route for the server and says so with ICMP destination unreachable.', zh: '核心路由器上该服务器是一条unreachable路由，并以ICMP目标不可达回应。' },
  expect: 'NET-010',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('core', `route add unreachable ${SERVICES.www.v4}/32`, `route del unreachable ${SERVICES.www.v4}/32`);
    await lab.ip('core', `-6 route add unreachable ${SERVICES.www.v6}/128`, `-6 route del unreachable ${SERVICES.www.v6}/128`);
  },
};
