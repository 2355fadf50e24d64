import type { Scenario } from '../scenario.js';
import { hostileResolver } from '../injections.js';

export const scenario: Scenario = {
  id: 'dns-003-hostile-cname-loop',
  story: {
    en: 'The office resolver answers www.lab.test with a CNAME loop (www → loop1.www → www) and no address. netdx must report the malformed reply, never "ok".',
    zh: '办公室的DNS服务器对 www.lab.test 返回CNAME循环（`www → loop1.www → www`），没有地址。netdx 必须报告这个畸形应答，绝不能判为“正常”。',
  },
  expect: 'DNS-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: (lab) => hostileResolver(lab, 'cname-loop'),
};
