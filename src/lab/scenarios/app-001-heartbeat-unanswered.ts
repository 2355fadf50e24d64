import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'app-001-heartbeat-unanswered',
  story: { en: 'The line service accepts the connection and reads the heartbeat but never answers PONG.', zh: '行协议服务接受连接并读取心跳，但从不回复PONG。' },
  expect: 'APP-001',
  target: 'mute.lab.test:7000',
  args: ['--heartbeat', 'send=PING;expect=PONG;every=1s;count=2;timeout=1s'],
};
