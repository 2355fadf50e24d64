import type { Scenario } from '../scenario.js';
import { STUCK_PORT, stuckListener } from '../injections.js';

export const scenario: Scenario = {
  id: 'tcp-005-stopped-accepting-no-test',
  story: {
    en: 'The same hung server, diagnosed without --backlog: the first connect completes, the SYNs right after it are dropped, the host answers ping. Not a firewall (a firewall would drop the first connect too): a full listen queue is the suspect.',
    zh: '同一台卡死的服务器，不带 --backlog 诊断：第一个连接建立，紧随其后的 SYN 被丢弃，主机能 ping 通。这不是防火墙（防火墙会连第一个连接也丢弃）：嫌疑是监听队列已满。',
  },
  expect: 'TCP-005',
  target: `backlog.lab.test:${STUCK_PORT}`,
  args: ['--protocol', 'tcp'],
  inject: stuckListener,
};
