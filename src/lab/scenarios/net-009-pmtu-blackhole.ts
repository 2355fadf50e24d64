import type { Scenario } from '../scenario.js';
import { gwCoreMtuBlackhole } from '../injections.js';

export const scenario: Scenario = {
  id: 'net-009-pmtu-blackhole',
  story: {
    en: "The gateway–core link has an MTU of 1400 and both routers filter ICMP 'fragmentation needed' / 'packet too big': small packets pass, the server's certificate flight never arrives.",
    zh: '网关与核心之间链路MTU为1400，且两端路由器都过滤了ICMP“需要分片”/“报文过大”：小包能过，服务器的证书报文永远到不了。',
  },
  expect: 'NET-009',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: gwCoreMtuBlackhole,
};
