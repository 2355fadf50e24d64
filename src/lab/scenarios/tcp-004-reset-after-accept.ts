import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tcp-004-reset-after-accept',
  story: {
    en: 'The server accepts the connection and resets it at once, before a single byte (an overloaded service shedding clients).',
    zh: '服务器接受连接后立即重置，尚未传输任何数据（过载的服务在甩掉客户端）。',
  },
  expect: 'TCP-004',
  target: 'reset.lab.test:443',
  args: ['--ca', '{ca}'],
};
