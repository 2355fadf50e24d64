import type { Scenario } from '../scenario.js';
import { RESPONDER_ARGS, startLabResponder } from '../responder.js';

export const scenario: Scenario = {
  id: 'net-014-return-path-mtu-blackhole',
  story: {
    en: "On the way back only, the core router's link toward the branch carries at most 1400 bytes and no 'fragmentation needed' comes back: the client's own DF probes toward the server pass at 1500, the server's certificate flight never arrives. Only the responder, sending DF packets back, sees where.",
    zh: '仅在回程方向，核心路由器通往分支的链路最多承载1400字节，且不返回“需要分片”：客户端自己发往服务器的DF探测在1500字节也能通过，服务器的证书报文却永远到不了。只有响应端反向发送DF报文才能看到问题所在。',
  },
  expect: 'NET-014',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}', ...RESPONDER_ARGS],
  async inject(lab) {
    await lab.iptables('core', '-A FORWARD -o gw0 -m length --length 1401:65535 -j DROP');
    await lab.iptables('core', '-A FORWARD -o gw0 -m length --length 1401:65535 -j DROP', { v6: true });
    await startLabResponder(lab);
  },
};
