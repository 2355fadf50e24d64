import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'dns-002-typo-name',
  story: { en: 'A typo in the configured server name: the zone has no such name.', zh: '配置的服务器域名拼写错误：区域中不存在该名称。' },
  expect: 'DNS-002',
  target: 'wwww.lab.test:443',
  args: ['--ca', '{ca}'],
};
