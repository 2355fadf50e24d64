/**
 * The in-process route lookup (rtnetlink through the addon) against `ip -j route get`, in a
 * namespace of its own with every kind of route and policy rule the fixtures were captured from
 * (test/fixtures/system/capture.sh): the two must give the same answer, field by field, for every
 * query — routes, gateways of the other family, tables, marks, sources, input interfaces, and each
 * refusal of the kernel. Skipped without root or without the addon.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { netnsSet } from '../lab/netns.js';
import { routeNetlink } from '../native/addon.js';
import { buildRouteLab, QUERIES } from './testing-route-lab.js';

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : routeNetlink() === null ? 'the addon is not built' : false;

test('route lookup: the kernel asked in-process answers exactly as `ip -j route get`, for every kind of route and refusal', { skip, timeout: 60_000 }, () => {
  const set = netnsSet(`ndx-nl-${process.pid}`);
  try {
    buildRouteLab(set);
    const script = fileURLToPath(new URL('./testing-route-compare.js', import.meta.url));
    const out = JSON.parse(set.exec('a', [process.execPath, script, JSON.stringify(QUERIES)])) as Array<{ q: unknown; netlink: unknown; ip: unknown; used: boolean }>;
    assert.equal(out.length, QUERIES.length);
    for (const r of out) {
      assert.ok(r.used, `netlink answered ${JSON.stringify(r.q)}`);
      assert.deepEqual(r.netlink, r.ip, `the same answer for ${JSON.stringify(r.q)}`);
    }
    // The set covers what it claims: routes, each refusal, and the other family's gateway.
    const kinds = new Set(out.map((r) => ((r.ip as { ok: boolean; kind?: string }).ok ? 'route' : (r.ip as { kind: string }).kind)));
    assert.deepEqual([...kinds].sort(), ['blackhole', 'error', 'no-route', 'prohibit', 'route', 'unreachable']);
    assert.ok(out.some((r) => JSON.stringify(r.ip).includes('via inet6')));
  } finally {
    set.destroy();
  }
});
