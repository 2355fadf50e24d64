/**
 * The snapshot's links, addresses, routes, policy rules and neighbours read in-process (rtnetlink)
 * against `ip -j`, parsed by the same parsers: in a namespace with every kind the parsers read
 * (capture.sh's routes and rules, more selectors, a bridge with a member, a VXLAN and a tun
 * device, a point-to-point and a dynamic address, permanent, stale and unanswered neighbours), and in
 * the root namespace, read only. The two must be equal. Skipped without root or without the addon.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { netnsSet } from '../lab/netns.js';
import { routeNetlink } from '../native/addon.js';
import { buildRouteLab } from './testing-route-lab.js';

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : routeNetlink() === null ? 'the addon is not built' : false;
const script = fileURLToPath(new URL('./testing-snapshot-compare.js', import.meta.url));

type Compared = { netlink: Record<string, { ok: boolean; value?: unknown[] }>; ip: Record<string, unknown>; asked: string[] };

function same(c: Compared, where: string): void {
  assert.deepEqual(c.asked, [], `${where}: every part read in-process`);
  for (const part of ['links', 'routes', 'rules', 'neighbors']) {
    assert.ok(c.netlink[part]?.ok, `${where}: ${part} read`);
    assert.deepEqual(c.netlink[part], c.ip[part], `${where}: ${part} the same as ip -j`);
  }
}

test('snapshot via netlink: links, routes, rules and neighbours equal to ip -j, in a namespace with every kind', { skip, timeout: 60_000 }, () => {
  const set = netnsSet(`ndx-nd-${process.pid}`);
  try {
    buildRouteLab(set);
    // An unanswered neighbour (INCOMPLETE, later FAILED): one echo to an address nobody holds, inside the lab.
    set.run('a', ['ping', '-c', '1', '-W', '0.3', '198.51.100.77']);
    const c = JSON.parse(set.exec('a', [process.execPath, script])) as Compared;
    same(c, 'lab');
    const v = c.netlink as unknown as Record<string, { value: Array<Record<string, unknown>> }>;
    const states = new Set(v['neighbors']!.value.flatMap((n) => n['state'] as string[]));
    for (const s of ['PERMANENT', 'STALE']) assert.ok(states.has(s), `a ${s} neighbour is compared`);
    assert.ok(states.has('INCOMPLETE') || states.has('FAILED'), 'an unanswered neighbour is compared');
    const kinds = new Set(v['links']!.value.map((l) => l['kind']));
    for (const k of ['bridge', 'veth', 'vxlan', 'tun', 'loopback']) assert.ok(kinds.has(k), `a ${k} link is compared`);
    assert.ok(v['rules']!.value.some((r) => (r['other'] as string[] | undefined)?.includes('sport 1000-2000')));
  } finally {
    set.destroy();
  }
});

test('snapshot via netlink: the root namespace (read only) reads the same as ip -j', { skip, timeout: 30_000 }, () => {
  same(JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as Compared, 'root');
});
