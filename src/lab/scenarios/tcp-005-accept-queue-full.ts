import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tcp-005-accept-queue-full',
  story: {
    en: 'The server handles one connection at a time with a listen queue of 1: under a few parallel connects, SYNs overflow the queue and succeed only after retransmission.',
    zh: '服务器一次只处理一个连接、监听队列长度为1：几个并发连接时SYN溢出队列，只有重传后才能连上。',
  },
  expect: 'TCP-005',
  target: 'backlog.lab.test:443',
  args: ['--protocol', 'tcp', '--backlog', '8'],
};
