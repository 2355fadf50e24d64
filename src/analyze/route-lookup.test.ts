/**
 * Route explanation against the kernel's recorded answers (test/fixtures/system: `ip -j route
 * get` runs in a namespace with several tables, policy rules and every route type), the LPM
 * index against a naive scan, and the explanations themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explainRoute, lookupRoute, prepareRoutes } from './route-lookup.js';
import { RouteTable, objectSpans } from './route-table.js';
import { parseAddr, parsePrefix, prefixHas, formatPrefix } from './ip.js';
import { snapshotOf, systemFixture } from './test-fixtures.js';
import { parseRoutes } from '../system/parse/routes.js';
import { parsePolicyRules } from '../system/parse/rules.js';
import { parseRouteGet } from '../system/parse/route-get.js';
import type { Route, Snapshot } from '../model/snapshot.js';

const ROUTES = [...parseRoutes(systemFixture('lab-ip-route4.json'), 4), ...parseRoutes(systemFixture('lab-ip-route6.json'), 6)];
const RULES = [...parsePolicyRules(systemFixture('lab-ip-rule4.json'), 4), ...parsePolicyRules(systemFixture('lab-ip-rule6.json'), 6)];
const lab = (routes: Route[] = ROUTES, extra: Partial<Snapshot> = {}): Snapshot => ({ ...snapshotOf({ routes: { ok: true, value: routes }, rules: { ok: true, value: RULES } }), ...extra });

function recorded(name: string): { dst: string; q: { from?: string; mark?: number; iif?: string; oif?: string }; rc: number; stdout: string; stderr: string } {
  const r = JSON.parse(systemFixture(`lab-route-get-${name}.json`)) as { args: string[]; rc: number; stdout: string; stderr: string };
  const [dst, ...rest] = r.args;
  const q: { from?: string; mark?: number; iif?: string; oif?: string } = {};
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i]!;
    const v = rest[i + 1]!;
    if (k === 'mark') q.mark = Number(v);
    else if (k === 'from' || k === 'iif' || k === 'oif') q[k] = v;
  }
  return { dst: dst!, q, rc: r.rc, stdout: r.stdout, stderr: r.stderr };
}

const KERNEL_ERRORS: Record<string, RegExp> = {
  blackhole: /Invalid argument/,
  prohibit: /Permission denied/,
  unreachable: /No route to host|Network is unreachable/,
  'no-route': /Network is unreachable/,
};

const CASES = [
  'default-gw',
  'connected',
  'multipath',
  'host-route',
  'local',
  'loopback',
  'broadcast',
  'with-src',
  'from',
  'from-blackhole-table',
  'mark',
  'iif-local',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'rule-prohibit',
  'rule-blackhole',
  'rule-unreachable',
  'rule-unreachable-oif',
  'linkdown',
  'v6-default',
  'v6-multipath',
  'v6-blackhole',
  'v6-unreachable',
  'v6-prohibit',
  'v6-rule-unreachable',
  'v6-local',
];

for (const name of CASES) {
  test(`explainRoute equals the kernel: ip route get ${name}`, () => {
    const r = recorded(name);
    const e = explainRoute(lab(), r.dst, r.q);
    if (r.rc === 0) {
      const k = parseRouteGet(r.stdout);
      assert.equal(e.outcome, 'route', e.why);
      assert.equal(e.gateway, k.gateway, e.why);
      assert.equal(e.dev, k.dev, e.why);
      if (e.route) assert.equal(e.table, k.table, e.why);
      if (k.src && e.route?.src) assert.equal(e.src, k.src);
    } else {
      assert.notEqual(e.outcome, 'route', e.why);
      assert.match(r.stderr, KERNEL_ERRORS[e.outcome]!, `we said ${e.outcome}: ${e.why}`);
    }
  });
}

test('no route at all (defaults removed): no-route, with the covering routes that were thrown or skipped', () => {
  const routes = ROUTES.filter((x) => !(x.table === 'main' && (x.dst === '0.0.0.0/0' || x.dst === '::/0')));
  for (const name of ['no-route', 'v6-no-route']) {
    const r = recorded(name);
    const e = explainRoute(lab(routes), r.dst, r.q);
    assert.equal(e.outcome, 'no-route');
    assert.match(r.stderr, /Network is unreachable/);
    assert.match(e.why, /Network is unreachable/);
  }
});

test('a lookup with iif on a host that does not forward is refused, as the kernel does', () => {
  const r = recorded('iif-no-forwarding');
  const e = explainRoute(lab(ROUTES, { sysctls: { ok: true, value: { 'net.ipv4.ip_forward': '0' } } }), r.dst, r.q);
  assert.equal(e.outcome, 'unreachable');
  assert.match(r.stderr, /No route to host/);
  assert.match(e.why, /forwarding is off/);
});

test('the explanation names the rule, the table, what competed and why', () => {
  const mark = explainRoute(lab(), '100.100.1.1', { mark: 1 });
  assert.equal(mark.table, '100');
  assert.deepEqual(
    mark.rules.map((x) => [x.priority, x.table]),
    [
      [0, 'local'],
      [100, '100'],
    ],
  );
  assert.match(mark.why, /rule 100 \(from all fwmark 0x1\/0xff lookup 100\) → table 100: 100\.64\.0\.0\/10 via 198\.51\.100\.2 dev a0 table 100 \(longer prefix than 0\.0\.0\.0\/0\)/);
  const host = explainRoute(lab(), '100.64.20.5');
  assert.match(host.why, /longer prefix than 100\.64\.0\.0\/16, 0\.0\.0\.0\/0/);
  assert.deepEqual(
    host.candidates.map((c) => c.prefix),
    ['100.64.20.5/32', '100.64.0.0/16', '100.64.0.0/10', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0'],
  );
  const def = explainRoute(lab(), '100.100.1.1');
  assert.match(def.why, /lower metric than a1 metric 200 on the same prefix/);
  const supp = def.steps.find((s) => s.priority === 700)!;
  assert.match(supp.note, /suppressed \(prefix \/0 ≤ suppress_prefixlength 0\)/);
  const multi = explainRoute(lab(), '100.64.3.4');
  assert.equal(multi.nexthops.length, 2);
  assert.match(multi.why, /multipath: the kernel hashes each flow onto one of 198\.51\.100\.2 dev a0, 203\.0\.113\.2 dev a1/);
  const thrown = explainRoute(lab(), '100.64.13.1');
  assert.match(thrown.steps.find((s) => s.priority === 32766)!.note, /throw route 100\.64\.13\.0\/24/);
  const goto = explainRoute(lab(), '100.100.1.1', { mark: 2 });
  assert.match(goto.steps.find((s) => s.priority === 950)!.note, /goto 32766/);
  assert.ok(!goto.steps.some((s) => s.priority === 960), 'the goto skips rule 960');
  const notRule = explainRoute(lab(), '100.64.91.7', { from: '203.0.113.1' });
  assert.equal(notRule.table, '102', 'not from 198.51.100.0/24 sends other sources to table 102');
});

test('the analyzer takes the snapshot as it is: no routes collected → no-route; an unparseable destination → no-route with why', () => {
  const none = explainRoute(snapshotOf({}), '198.51.100.7');
  assert.equal(none.outcome, 'no-route');
  const bad = explainRoute(lab(), 'not-an-ip');
  assert.equal(bad.outcome, 'no-route');
  assert.match(bad.why, /not an IP address/);
});

test('LPM index: the best route equals a naive scan (random prefixes, metrics, both families)', () => {
  const v4 = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([n, l]) => formatPrefix(parsePrefix(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${l}`, 4)!));
  const v6 = fc
    .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 128 }))
    .map(([g, l]) => formatPrefix(parsePrefix(`${g.map((x) => x.toString(16)).join(':')}/${l}`, 6)!));
  const route = (fam: 4 | 6) =>
    fc.record({ dst: fam === 4 ? v4 : v6, metric: fc.constantFrom(0, 10, 100), table: fc.constantFrom('main', '100') }).map((r): Route => ({
      family: fam,
      table: r.table,
      type: 'unicast',
      dst: r.dst,
      gateway: null,
      dev: 'x',
      src: null,
      metric: r.metric,
      protocol: null,
      scope: null,
      nexthops: [],
      text: `${r.dst} metric ${r.metric}`,
    }));
  for (const fam of [4, 6] as const) {
    fc.assert(
      fc.property(fc.array(route(fam), { maxLength: 40 }), fc.array(fam === 4 ? v4 : v6, { minLength: 1, maxLength: 10 }), (routes, probes) => {
        const rt = RouteTable.fromRoutes(routes);
        const ft = rt.fam(fam);
        for (const p of probes) {
          const a = parseAddr(p.split('/')[0]!)!;
          for (const table of ['main', '100']) {
            const tid = rt.tableNames.peek(table);
            const i = tid >= 0 ? ft.best(tid, a.w, null) : -1;
            const got = i >= 0 ? rt.route(a.family, i) : null;
            const naive = routes
              .filter((r) => r.table === table && prefixHas(parsePrefix(r.dst, fam)!, a))
              .sort((x, y) => parsePrefix(y.dst, fam)!.len - parsePrefix(x.dst, fam)!.len || (x.metric ?? 0) - (y.metric ?? 0))[0];
            assert.equal(got?.text ?? null, naive?.text ?? null, `${p} in ${table}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  }
});

test('DIR-24-8 (large IPv4 tables) answers exactly like the per-length hashes', () => {
  const routes: Route[] = [];
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const seen = new Set<string>();
  while (routes.length < 70_000) {
    const len = [8, 12, 16, 20, 22, 24, 25, 26, 28, 30, 32][Math.floor(rnd() * 11)]!;
    const p = parsePrefix(`100.${64 + Math.floor(rnd() * 64)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}/${len}`, 4)!;
    const dst = formatPrefix(p);
    const metric = [0, 10, 100][Math.floor(rnd() * 3)]!;
    if (seen.has(`${dst}/${metric}`)) continue;
    seen.add(`${dst}/${metric}`);
    routes.push({
      family: 4,
      table: 'main',
      type: rnd() < 0.05 ? 'blackhole' : 'unicast',
      dst,
      gateway: null,
      dev: 'x',
      src: null,
      metric,
      protocol: null,
      scope: null,
      nexthops: [],
      text: `${dst} metric ${metric}`,
      ...(rnd() < 0.02 ? { flags: ['dead'] } : {}),
    });
  }
  routes.push({
    family: 4,
    table: 'main',
    type: 'unicast',
    dst: '0.0.0.0/0',
    gateway: '198.51.100.1',
    dev: 'x',
    src: null,
    metric: null,
    protocol: null,
    scope: null,
    nexthops: [],
    text: 'default via 198.51.100.1',
  });
  const rt = RouteTable.fromRoutes(routes);
  const fam = rt.fam(4);
  const main = rt.tableNames.peek('main');
  const plain = (i: number): boolean => (fam.flags[i]! & 7) === 0;
  for (let k = 0; k < 50_000; k++) {
    const w = [(0x64400000 + Math.floor(rnd() * 0x400000)) >>> 0];
    assert.equal(fam.best(main, w, null), fam.best(main, w, plain), `address ${w[0]}`);
  }
});

test('ip -j route JSON read object by object gives the same table as the system parser', () => {
  const json = systemFixture('lab-ip-route4.json');
  assert.equal(objectSpans(json).length / 2, (JSON.parse(json) as unknown[]).length);
  const a = RouteTable.fromIpJson({ v4: json, v6: systemFixture('lab-ip-route6.json') }, parseRoutes);
  const p = prepareRoutes(a, RULES);
  for (const name of CASES) {
    const r = recorded(name);
    const fast = lookupRoute(p, r.dst, r.q)!;
    const e = explainRoute(lab(), r.dst, r.q);
    assert.equal(fast.outcome, e.outcome, name);
    assert.equal(fast.route?.text ?? null, e.route?.text ?? null, name);
  }
});

test('lookupRoute (fast path) and explainRoute agree on every recorded query', () => {
  const p = prepareRoutes(ROUTES, RULES);
  for (const name of CASES) {
    const r = recorded(name);
    const fast = lookupRoute(p, r.dst, r.q)!;
    const e = explainRoute(lab(), r.dst, r.q);
    assert.equal(fast.outcome, e.outcome, name);
    assert.equal(fast.route?.text ?? null, e.route?.text ?? null, name);
  }
});
