/**
 * Test support, run inside a namespace by route-get-netlink.netns.test.ts: each query of argv[2]
 * (JSON [dst, options][]) answered twice, through rtnetlink and through `ip -j route get`. Prints
 * JSON [{q, netlink, ip, used}]; `used`: netlink gave the main answer (no `ip route get` ran).
 */
import { routeGet } from './route-get.js';
import { routeNetlink } from '../native/addon.js';
import { defaultExec, type ExecFn } from './exec.js';

const queries = JSON.parse(process.argv[2] ?? '[]') as Array<[string, { from?: string; mark?: string; iif?: string }]>;
const nl = routeNetlink();
const out: unknown[] = [];
for (const [dst, opts] of queries) {
  let asked = false;
  const spy: ExecFn = (file, args, o) => {
    if (args.includes('get')) asked = true;
    return defaultExec(file, args, o);
  };
  const netlink = await routeGet(dst, { ...opts, exec: spy, netlink: nl });
  const ip = await routeGet(dst, { ...opts, netlink: null });
  out.push({ q: [dst, opts], netlink, ip, used: !asked });
}
process.stdout.write(JSON.stringify(out));
