/** Fault injections shared by more than one scenario. */
import type { LabApi } from './scenario.js';
import { ADDR } from './topology.js';

/**
 * The seed's incident, 上海区域路由表错误指向香港某ISP: in the Shanghai region (client2's LAN) a
 * second default route through the HK ISP line's router wins by a lower metric, for IPv4 and
 * IPv6; the company gateway's default stays, with a higher metric. Beijing (client) is untouched.
 */
export async function shanghaiDefaultViaHk(lab: LabApi): Promise<void> {
  for (const [gw, hk, six] of [
    [ADDR.gw2Lan, ADDR.wrongLan, ''],
    [ADDR.gw2Lan6, ADDR.wrongLan6, '-6 '],
  ] as const) {
    await lab.ip('client2', `${six}route del default via ${gw}`, `${six}route add default via ${gw}`);
    await lab.ip('client2', `${six}route add default via ${gw} metric 100`, `${six}route del default via ${gw} metric 100`);
    await lab.ip('client2', `${six}route add default via ${hk} metric 50`, `${six}route del default via ${hk} metric 50`);
  }
}
