/**
 * Test support, run inside a namespace (or the root namespace, which it only reads) by
 * netlink-dump.netns.test.ts: the snapshot's links, routes, rules and neighbours collected twice,
 * through rtnetlink and through `ip -j` (until two `ip` reads around the netlink one agree).
 * Prints JSON {netlink, ip, asked}; `asked`: the `ip`
 * commands the netlink collection still ran (none when every part was read in-process).
 */
import { collectSnapshot } from './collect.js';
import { routeNetlink } from '../native/addon.js';
import { defaultExec, type ExecFn } from './exec.js';
import { isDeepStrictEqual } from 'node:util';

const parts = ['links', 'routes', 'rules', 'neighbors'] as const;
const asked: string[] = [];
const spy: ExecFn = (file, args, o) => {
  if (file === 'ip') asked.push(args.join(' '));
  return defaultExec(file, args, o);
};
const pick = (s: Awaited<ReturnType<typeof collectSnapshot>>) => ({ links: s.links, routes: s.routes, rules: s.rules, neighbors: s.neighbors });
const viaIp = async () => pick(await collectSnapshot({ exec: defaultExec, netlink: null, ntp: false }, parts));
// Compared while the state holds still: `ip` before and after the netlink read must agree (a
// namespace just built still gains IPv6 link-local routes and addresses for a moment).
let out: unknown = null;
for (let i = 0; i < 10 && out === null; i++) {
  const before = await viaIp();
  asked.length = 0;
  const netlink = pick(await collectSnapshot({ exec: spy, netlink: routeNetlink(), ntp: false }, parts));
  if (isDeepStrictEqual(before, await viaIp())) out = { netlink, ip: before, asked };
  else await new Promise((r) => setTimeout(r, 300));
}
if (out === null) throw new Error('the network state kept changing: nothing compared');
process.stdout.write(JSON.stringify(out));
