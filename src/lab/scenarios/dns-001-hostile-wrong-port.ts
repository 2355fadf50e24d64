import type { Scenario } from '../scenario.js';
import { hostileResolver } from '../injections.js';

export const scenario: Scenario = {
  id: 'dns-001-hostile-wrong-port',
  story: {
    en: 'The office resolver answers from source port 5353 instead of 53 (a broken NAT in front of it): the client\'s kernel drops every reply, as it does for any stub resolver, so to the client the resolver never answers — DNS-001, never "ok".',
    zh: '办公室的DNS服务器从源端口5353而不是53应答（其前面的NAT故障）：客户端内核像对任何存根解析器一样丢弃所有应答，因此在客户端看来该服务器从不应答——DNS-001，绝不能判为“正常”。',
  },
  expect: 'DNS-001',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: (lab) => hostileResolver(lab, 'wrong-port'),
};
