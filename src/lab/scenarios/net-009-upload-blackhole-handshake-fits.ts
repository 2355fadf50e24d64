import type { Scenario } from '../scenario.js';
import { gwCoreMtuBlackhole } from '../injections.js';
import { ADDR, SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-009-upload-blackhole-handshake-fits',
  story: {
    en: "An MTU blackhole that the TLS handshake does not touch: the gateway–core link has an MTU of 1400 and the routers filter 'fragmentation needed', but the server caps its own packets at 1400 bytes (a route MTU set long ago). The handshake and every download work; whatever the client sends above 1400 bytes (an upload, a large POST) vanishes.",
    zh: 'TLS握手碰不到的MTU黑洞：网关与核心之间链路MTU为1400，路由器过滤了“需要分片”，但服务器很早以前把自己的路由MTU设成了1400。握手和所有下载都正常；客户端发出的大于1400字节的报文（上传、大的POST）全部消失。',
  },
  expect: 'NET-009',
  target: `${SERVICES.www.v4}:443`,
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
  async inject(lab) {
    await lab.ip('srv', `route replace default via ${ADDR.coreSrv} mtu 1400`, `route replace default via ${ADDR.coreSrv}`);
    await gwCoreMtuBlackhole(lab, { v6: false });
  },
};
