import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linkNames, linksJson, neighborsJson, routesJson, rulesJson } from './netlink-dump.js';
import { collectSnapshot } from './collect.js';
import type { ExecFn } from './exec.js';
import type { NetlinkFn } from './netlink.js';
import { fixture } from './fixture-files.js';
import { attr, DONE, msg, valueOrParseError as known } from './testing-netlink.js';

test('dump answers that are not what they claim: a ParseError or a value, never a crash or a hang (fast-check)', () => {
  const name = linkNames([]);
  const readers = [(nl: NetlinkFn) => linksJson(nl), (nl: NetlinkFn) => routesJson(nl, 4, name), (nl: NetlinkFn) => rulesJson(nl, 6), (nl: NetlinkFn) => neighborsJson(nl, name)];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      for (const read of readers) known(() => read(() => Buffer.from(bytes)));
    }),
    { numRuns: 2000 },
  );
  // Well framed messages of each type with arbitrary attributes.
  fc.assert(
    fc.property(
      fc.constantFrom(16, 20, 24, 28, 32),
      fc.uint8Array({ maxLength: 16 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), fc.uint8Array({ maxLength: 24 })), { maxLength: 10 }),
      (type, head, attrs) => {
        const answer = Buffer.concat([msg(type, Buffer.concat([Buffer.from(head), ...attrs.map(([t, p]) => attr(t, Buffer.from(p)))])), DONE]);
        for (const read of readers) known(() => read(() => answer));
      },
    ),
    { numRuns: 2000 },
  );
});

const LAB: Record<string, string> = {
  'ip -j -d addr': fixture('lab-ip-addr-d.json'),
  'ip -j -4 route show table all': fixture('lab-ip-route4.json'),
  'ip -j -6 route show table all': fixture('lab-ip-route6.json'),
  'ip -j -4 rule': fixture('lab-ip-rule4.json'),
  'ip -j -6 rule': fixture('lab-ip-rule6.json'),
  'ip -j neigh': fixture('lab-ip-neigh.json'),
};
const PARTS = ['links', 'routes', 'rules', 'neighbors'] as const;

async function collected(nl: NetlinkFn | null): Promise<{ asked: string[]; parts: unknown[] }> {
  const asked: string[] = [];
  const exec: ExecFn = async (file, args) => {
    const cmd = [file, ...args].join(' ');
    asked.push(cmd);
    return LAB[cmd] !== undefined ? { stdout: LAB[cmd]!, stderr: '', code: 0, failure: null } : { stdout: '', stderr: '', code: null, failure: 'ENOENT' };
  };
  const s = await collectSnapshot({ exec, netlink: nl, ntp: false, env: {} }, PARTS);
  return { asked, parts: [s.links, s.routes, s.rules, s.neighbors] };
}

test('collect: netlink that cannot be asked, or answers garbage, leaves every part to ip (the same snapshot)', async () => {
  const viaIp = await collected(null);
  assert.equal(viaIp.asked.length, 6);
  for (const nl of [() => 'EPERM', () => Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])] as NetlinkFn[]) {
    const r = await collected(nl);
    assert.deepEqual(r.asked.sort(), viaIp.asked.sort());
    assert.deepEqual(r.parts, viaIp.parts);
  }
});

test('collect: a kernel that answers leaves ip unasked; an interface index without a link reads as ifN, as ip prints it', async () => {
  const route = Buffer.alloc(12);
  route.writeUInt8(2, 0); // AF_INET
  route.writeUInt8(24, 1);
  route.writeUInt8(254, 4);
  route.writeUInt8(2, 5); // proto kernel
  route.writeUInt8(253, 6); // scope link
  route.writeUInt8(1, 7); // unicast
  const oif = Buffer.alloc(4);
  oif.writeUInt32LE(7);
  const answers: Record<number, Buffer> = { 26: Buffer.concat([msg(24, Buffer.concat([route, attr(1, Buffer.from([198, 51, 100, 0])), attr(4, oif)])), DONE]) };
  const nl: NetlinkFn = (req) => {
    const type = req.readUInt16LE(4);
    const family = req.readUInt8(16);
    return type === 26 && family === 2 ? answers[26]! : DONE;
  };
  const r = await collected(nl);
  assert.deepEqual(r.asked, []);
  const routes = r.parts[1] as { ok: true; value: Array<{ text: string; dst: string }> };
  assert.deepEqual(
    routes.value.map((x) => x.text),
    ['198.51.100.0/24 dev if7 proto kernel scope link'],
  );
});

test('collect: an iproute2 without -j reads nothing, the kernel everything; a part the kernel cannot read alone goes to ip', async () => {
  const asked: string[] = [];
  const oldIp: ExecFn = async (file, args) => {
    asked.push([file, ...args].join(' '));
    return { stdout: '', stderr: 'Option "-j" is unknown, try "ip -help".\n', code: 255, failure: null };
  };
  const empty: NetlinkFn = () => DONE;
  const s = await collectSnapshot({ exec: oldIp, netlink: empty, ntp: false, env: {} }, PARTS);
  assert.deepEqual(asked, []);
  for (const part of [s.links, s.routes, s.rules, s.neighbors]) assert.deepEqual(part, { ok: true, value: [] });
  // RTM_GETNEIGH (30) refused: the neighbours, and only they, come from ip.
  const noNeigh: NetlinkFn = (req) => (req.readUInt16LE(4) === 30 ? 'EPERM' : DONE);
  const r = await collected(noNeigh);
  assert.deepEqual(r.asked, ['ip -j neigh']);
  assert.ok((r.parts[3] as { ok: boolean }).ok);
});

test('collect: the kernel is read one part per turn of the event loop (a probe timer waits for one part, not for four)', async () => {
  let turn = 0;
  let running = true;
  const tick = (): void => {
    turn++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const at = new Map<number, number>();
  const nl: NetlinkFn = (req) => {
    const type = req.readUInt16LE(4);
    if (!at.has(type)) at.set(type, turn);
    return DONE;
  };
  const noIp: ExecFn = async () => ({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
  await collectSnapshot({ exec: noIp, netlink: nl, ntp: false, env: {} }, PARTS);
  running = false;
  // RTM_GETLINK (18, with RTM_GETADDR 22), RTM_GETROUTE (26), RTM_GETRULE (34), RTM_GETNEIGH (30).
  const turns = [18, 26, 34, 30].map((t) => at.get(t));
  assert.ok(turns.every((t) => t !== undefined));
  assert.equal(new Set(turns).size, 4, `turns ${turns.join(', ')}`);
  assert.equal(at.get(22), at.get(18), 'a link and its addresses are read together');
});
