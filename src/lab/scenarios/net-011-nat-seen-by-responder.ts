import type { Scenario } from '../scenario.js';
import { RESPONDER_ARGS, startLabResponder } from '../responder.js';

export const scenario: Scenario = {
  id: 'net-011-nat-seen-by-responder',
  story: {
    en: "The branch gateway NATs the client's LAN (as it always does here): the responder next to the server sees the gateway's public address, not the client's own. Nothing is broken.",
    zh: '分支网关对客户端网段做NAT（本实验网一直如此）：服务器旁的响应端看到的是网关的公网地址，而不是客户端自己的地址。没有故障。',
  },
  expect: 'ok',
  alsoExpect: ['NET-011'],
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}', ...RESPONDER_ARGS],
  inject: startLabResponder,
};
