import type { Scenario } from '../scenario.js';
import { nodeServer } from '../lab.js';
import { SERVICES } from '../topology.js';

const DEV = 'dl0';

export const scenario: Scenario = {
  id: 'net-008-slow-core-link',
  story: {
    en: 'Traffic to the server is carried over a congested long-haul link beyond the core: 100 ms each way, so the RTT rises from the third hop on.',
    zh: '到服务器的流量经过核心之后一段拥塞的长途链路：单向100毫秒，往返时延从第三跳开始升高。',
  },
  expect: 'NET-008',
  target: 'www.lab.test',
  async inject(lab) {
    // A delaying relay on the core's loopback, and socat moving packets between a TUN device and it.
    await lab.background('core', 'delay-relay', nodeServer('delay-relay', ['9001', '100']), 'ss -Hlun | grep -q 127.0.0.1:9001');
    await lab.background('core', 'delay-tun', ['socat', `TUN,tun-name=${DEV},tun-type=tun,iff-no-pi,iff-up`, 'UDP:127.0.0.1:9001,bind=127.0.0.1:9002'], `ip link show ${DEV} | grep -q UP`);
    // Traffic between the clients and www (both ways) takes a detour through the TUN device;
    // what comes out of it is routed as usual. The detour costs no hop: its TTL is given back.
    await lab.ip('core', `route add default dev ${DEV} table 100`, `route del default dev ${DEV} table 100`);
    await lab.ip('core', `-6 route add default dev ${DEV} table 100`, `-6 route del default dev ${DEV} table 100`);
    await lab.ip('core', `rule add iif gw0 to ${SERVICES.www.v4} lookup 100 priority 100`, `rule del priority 100`);
    await lab.ip('core', `rule add iif srv0 from ${SERVICES.www.v4} lookup 100 priority 101`, `rule del priority 101`);
    await lab.ip('core', `-6 rule add iif gw0 to ${SERVICES.www.v6} lookup 100 priority 100`, `-6 rule del priority 100`);
    await lab.ip('core', `-6 rule add iif srv0 from ${SERVICES.www.v6} lookup 100 priority 101`, `-6 rule del priority 101`);
    await lab.iptables('core', `-t mangle -A PREROUTING -i ${DEV} -j TTL --ttl-inc 1`);
    await lab.iptables('core', `-t mangle -A PREROUTING -i ${DEV} -j HL --hl-inc 1`, { v6: true });
  },
};
