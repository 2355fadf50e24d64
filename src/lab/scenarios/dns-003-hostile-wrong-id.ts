import type { Scenario } from '../scenario.js';
import { hostileResolver } from '../injections.js';

export const scenario: Scenario = {
  id: 'dns-003-hostile-wrong-id',
  story: {
    en: 'The office resolver answers every query with another transaction id (a broken NAT or a spoofing middlebox): no reply ever matches. netdx must report the malformed reply, never "ok".',
    zh: '办公室的DNS服务器对每个查询都用另一个事务ID应答（故障的NAT或伪造应答的中间设备）：没有一个应答能对上。netdx 必须报告这个畸形应答，绝不能判为“正常”。',
  },
  expect: 'DNS-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: (lab) => hostileResolver(lab, 'wrong-id'),
};
