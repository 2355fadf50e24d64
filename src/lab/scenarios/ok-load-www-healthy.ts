import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-load-www-healthy',
  story: {
    en: 'A healthy HTTPS server under a modest fixed rate (100 requests/s, 8 connections): `netdx load` reports no errors and no turning point.',
    zh: '健康的HTTPS服务器承受适度的固定速率（每秒100个请求，8个连接）：`netdx load` 报告无错误、无拐点。',
  },
  expect: 'ok',
  command: 'load',
  target: 'https://www.lab.test/',
  args: ['--ca', '{ca}', '--connections', '8', '--rate', '100/s', '--duration', '2s', '--steps', '2'],
};
