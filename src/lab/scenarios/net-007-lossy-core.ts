import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'net-007-lossy-core',
  story: { en: 'The core router drops 30% of forwarded packets at random (iptables statistic): a flaky link upstream.', zh: '核心路由器随机丢弃30%的转发报文（iptables statistic）：上游链路不稳定。' },
  expect: 'NET-007',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('core', '-A FORWARD -m statistic --mode random --probability 0.3 -j DROP');
    await lab.iptables('core', '-A FORWARD -m statistic --mode random --probability 0.3 -j DROP', { v6: true });
  },
};
