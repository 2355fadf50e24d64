import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'dns-003-servfail',
  story: { en: "The partner's DNS zone is broken upstream: both resolvers answer SERVFAIL.", zh: '合作方的DNS区域在上游损坏：两台DNS服务器都返回SERVFAIL。' },
  expect: 'DNS-003',
  target: 'www.partner.test:443',
  args: ['--ca', '{ca}'],
};
