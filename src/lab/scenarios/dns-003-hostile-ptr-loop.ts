import type { Scenario } from '../scenario.js';
import { hostileResolver } from '../injections.js';

export const scenario: Scenario = {
  id: 'dns-003-hostile-ptr-loop',
  story: {
    en: 'The office resolver answers with a compression pointer that points at itself (a decoder that follows it never ends). netdx must report the malformed reply, never "ok".',
    zh: '办公室的DNS服务器返回一个指向自身的压缩指针（跟随它的解码器永远不会结束）。netdx 必须报告这个畸形应答，绝不能判为“正常”。',
  },
  expect: 'DNS-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  inject: (lab) => hostileResolver(lab, 'ptr-loop'),
};
