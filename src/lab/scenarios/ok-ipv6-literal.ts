import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-ipv6-literal',
  story: { en: 'Healthy baseline, IPv6: the server by its IPv6 address, the name given as SNI.', zh: '健康基线（IPv6）：直接访问服务器IPv6地址，SNI 指定域名。' },
  expect: 'ok',
  offline: 'ok',
  target: '[2001:db8:20::10]:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
};
