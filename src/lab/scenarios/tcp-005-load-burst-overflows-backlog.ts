import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tcp-005-load-burst-overflows-backlog',
  story: {
    en: 'A server that accepts one connection a second with a listen queue of 1, SYN cookies off: `netdx load` ramps up parallel connects and finds the turning point where SYNs start being dropped.',
    zh: '服务器每秒只接受一个连接、监听队列长度为1、关闭了SYN Cookie：`netdx load` 逐级增加并发连接，找到SYN开始被丢弃的拐点。',
  },
  expect: 'TCP-005',
  command: 'load',
  target: 'backlog.lab.test:443',
  args: ['--connections', '24', '--steps', '3', '--duration', '3s', '--timeout', '4s'],
  async inject(lab) {
    await lab.sysctl('srv', 'net.ipv4.tcp_syncookies', '0');
    await lab.sysctl('srv', 'net.ipv4.tcp_max_syn_backlog', '16');
  },
};
