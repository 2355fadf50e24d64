import type { Scenario } from '../scenario.js';
import { hostileResolver } from '../injections.js';

export const scenario: Scenario = {
  id: 'dns-003-hostile-garbage',
  story: {
    en: 'The office resolver answers every query with random bytes. netdx must report the malformed reply, never "ok".',
    zh: '办公室的DNS服务器对每个查询都返回随机字节。netdx 必须报告这个畸形应答，绝不能判为“正常”。',
  },
  expect: 'DNS-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: (lab) => hostileResolver(lab, 'garbage'),
};
