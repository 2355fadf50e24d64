import type { Scenario } from '../scenario.js';
import { RESPONDER_ARGS, startLabResponder } from '../responder.js';

export const scenario: Scenario = {
  id: 'net-013-return-path-drops',
  story: {
    en: 'The core router loses 35% of the IPv4 packets it forwards toward the branch (server → client) and none the other way: SYNs arrive, a third of the answers never come back. From the client it looks like plain loss; the responder counts which direction.',
    zh: '核心路由器转发往分支方向（服务器 → 客户端）的IPv4报文丢失35%，反方向不丢：SYN能到达，三分之一的应答回不来。在客户端看来只是普通丢包；响应端能数出是哪个方向。',
  },
  expect: 'NET-013',
  // It was flaky (2 of 4 runs named NET-007): the loss count waited for the control connection,
  // which a 35 % lossy return path delays or breaks. The echoes now run beside it (18/18 since).
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test', ...RESPONDER_ARGS],
  async inject(lab) {
    await lab.iptables('core', '-A FORWARD -o gw0 -m statistic --mode random --probability 0.35 -j DROP');
    await startLabResponder(lab);
  },
};
