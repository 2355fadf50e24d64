import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'dns-003-refused',
  story: { en: "The company resolvers only serve the company's zone and refuse anything else (REFUSED).", zh: '公司DNS只解析本公司区域，其他域名一律拒绝（REFUSED）。' },
  expect: 'DNS-003',
  target: 'portal.acme.test:443',
  args: ['--ca', '{ca}'],
};
