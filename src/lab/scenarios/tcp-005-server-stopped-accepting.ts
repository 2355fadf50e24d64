import type { Scenario } from '../scenario.js';
import { STUCK_PORT, stuckListener } from '../injections.js';

export const scenario: Scenario = {
  id: 'tcp-005-server-stopped-accepting',
  story: {
    en: 'The server process hangs and no longer calls accept(); its listen queue (backlog 1) fills, and the kernel drops every further SYN. The backlog test (50 parallel connects) must say how many completed and after how long.',
    zh: '服务器进程卡死，不再调用 accept()；其监听队列（backlog 1）被占满，内核丢弃之后所有的 SYN。并发连接测试（50 个）必须说出有几个建立、耗时多久。',
  },
  expect: 'TCP-005',
  target: `backlog.lab.test:${STUCK_PORT}`,
  args: ['--protocol', 'tcp', '--backlog', '50'],
  inject: stuckListener,
};
