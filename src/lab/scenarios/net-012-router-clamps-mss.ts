import type { Scenario } from '../scenario.js';
import { RESPONDER_ARGS, startLabResponder } from '../responder.js';

export const scenario: Scenario = {
  id: 'net-012-router-clamps-mss',
  story: {
    en: 'The branch gateway rewrites the MSS of every forwarded SYN to 1200 (iptables TCPMSS --set-mss): the client offers 1460, the server receives 1200. Only the responder can see it.',
    zh: '分支网关把所有转发的SYN中的MSS改写为1200（iptables TCPMSS --set-mss）：客户端发出1460，服务器收到1200。只有响应端能看到。',
  },
  expect: 'ok',
  alsoExpect: ['NET-012', 'NET-011'],
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}', ...RESPONDER_ARGS],
  async inject(lab) {
    await lab.iptables('gw', '-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1200');
    await startLabResponder(lab);
  },
};
