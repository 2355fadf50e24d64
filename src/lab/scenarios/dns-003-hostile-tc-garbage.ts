import type { Scenario } from '../scenario.js';
import { hostileResolver } from '../injections.js';

export const scenario: Scenario = {
  id: 'dns-003-hostile-tc-garbage',
  story: {
    en: 'The office resolver sets TC (truncated) on every UDP answer, then sends garbage over TCP. netdx must report the malformed reply, never "ok".',
    zh: '办公室的DNS服务器对每个UDP应答都设置TC（截断）标志，然后通过TCP发送乱码。netdx 必须报告这个畸形应答，绝不能判为“正常”。',
  },
  expect: 'DNS-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: (lab) => hostileResolver(lab, 'tc-garbage'),
};
