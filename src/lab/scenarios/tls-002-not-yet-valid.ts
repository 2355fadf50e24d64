import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-002-not-yet-valid',
  story: {
    en: 'The server was given its next certificate too early: it becomes valid only in 30 days (and the client clock is right).',
    zh: '服务器过早换上了下一张证书：30天后才生效（客户端时钟正确）。',
  },
  expect: 'TLS-002',
  target: 'future.lab.test:443',
  args: ['--ca', '{ca}'],
};
