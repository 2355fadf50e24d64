import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoutes } from './routes.js';
import { fixture } from '../fixture-files.js';
import { ParseError } from '../../model/errors.js';

const v4 = parseRoutes(fixture('lab-ip-route4.json'), 4);
const v6 = parseRoutes(fixture('lab-ip-route6.json'), 6);
const find = (routes: typeof v4, dst: string, table = 'main') => {
  const r = routes.find((x) => x.dst === dst && x.table === table);
  assert.ok(r, `route ${dst} in table ${table}`);
  return r;
};

test('defaults are normalized and keep their metric and gateway', () => {
  const defaults = v4.filter((r) => r.dst === '0.0.0.0/0' && r.table === 'main');
  assert.deepEqual(
    defaults.map((r) => [r.gateway, r.dev, r.metric]),
    [
      ['198.51.100.2', 'a0', 100],
      ['203.0.113.2', 'a1', 200],
    ],
  );
  assert.equal(find(v6, '::/0').gateway, '2001:db8:1::2');
  assert.equal(find(v6, '::/0', '200').dev, 'a1');
});

test('host routes get /32 and /128', () => {
  assert.equal(find(v4, '100.64.20.5/32').gateway, '198.51.100.2');
  assert.equal(find(v6, '2001:db8:5::1/128').gateway, '2001:db8:1::2');
  assert.equal(find(v4, '127.0.0.1/32', 'local').type, 'local');
});

test('multipath routes carry both next hops with weights', () => {
  const mp = find(v4, '100.64.0.0/16');
  assert.equal(mp.gateway, null);
  assert.deepEqual(mp.nexthops, [
    { gateway: '198.51.100.2', dev: 'a0', weight: 1 },
    { gateway: '203.0.113.2', dev: 'a1', weight: 2 },
  ]);
  assert.equal(mp.protocol, 'static');
  assert.deepEqual(
    find(v6, '2001:db8:99::/48').nexthops.map((n) => n.dev),
    ['a0', 'a1'],
  );
});

test('special route types and tables', () => {
  assert.equal(find(v4, '100.64.10.0/24').type, 'blackhole');
  assert.equal(find(v4, '100.64.11.0/24').type, 'unreachable');
  assert.equal(find(v4, '100.64.12.0/24').type, 'prohibit');
  assert.equal(find(v4, '100.64.13.0/24').type, 'throw');
  assert.equal(find(v4, '0.0.0.0/0', '101').type, 'blackhole');
  assert.equal(find(v4, '100.64.90.0/24', '102').metric, 5);
  assert.equal(find(v6, '2001:db8:dead::/48').type, 'blackhole');
  assert.equal(find(v6, '2001:db8:dead::/48').dev, 'lo');
  assert.equal(find(v4, '198.51.100.255/32', 'local').type, 'broadcast');
  assert.ok(v6.some((r) => r.type === 'multicast' && r.dst === 'ff00::/8'));
});

test('flags, source selection, tos, pref, cross-family via', () => {
  assert.deepEqual(find(v4, '100.64.70.0/24').flags, ['linkdown']);
  assert.deepEqual(find(v4, '100.64.50.0/24').flags, ['onlink']);
  assert.equal(find(v4, '100.64.30.0/24').src, '198.51.100.10');
  assert.equal(find(v4, '100.64.80.0/24').tos, '0x10');
  assert.equal(find(v4, '100.64.95.0/24').gateway, '2001:db8:1::2');
  assert.equal(find(v6, '2001:db8:7::/48').pref, 'high');
  assert.equal(find(v6, '2001:db8:8::/48').from, '2001:db8:1::/64');
  assert.equal(find(v4, '100.64.40.0/24').scope, 'link');
});

test('text is what `ip route show table all` prints, one line per route', () => {
  for (const [routes, file] of [
    [v4, 'lab-ip-route4.txt'],
    [v6, 'lab-ip-route6.txt'],
  ] as const) {
    // ip continues a multipath route on tab-indented lines; join them.
    const lines = fixture(file)
      .replace(/\n\t/g, ' ')
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter(Boolean)
      // JSON has no "lock" nor the state-only flags; text keeps what `ip route del` accepts.
      .map((l) => l.replace(/ lock /g, ' ').replace(/ linkdown$/, ''));
    assert.deepEqual(
      routes.map((r) => r.text),
      lines,
    );
  }
});

test('the root namespace capture parses', () => {
  const r4 = parseRoutes(fixture('root-ip-route4.json'), 4);
  assert.ok(r4.some((r) => r.dst === '0.0.0.0/0' && r.gateway !== null));
  assert.ok(parseRoutes(fixture('root-ip-route6.json'), 6).length > 0);
});

test('bad input is a ParseError naming what was expected', () => {
  assert.throws(() => parseRoutes('', 4), ParseError);
  assert.throws(() => parseRoutes('{}', 4), /expected the output to be a JSON array/);
  assert.throws(() => parseRoutes('[{"dst":"fe80::/64"}]', 4), /route #0: expected "dst" to be an IPv4 prefix/);
  assert.throws(() => parseRoutes('[{"dst":"10.0.0.0/33"}]', 4), ParseError);
  assert.throws(() => parseRoutes('[{"dst":"default","metric":"x"}]', 4), /"metric" to be a number/);
  assert.throws(() => parseRoutes('[{"dst":"default","gateway":"nope"}]', 4), /"gateway" to be an IP address/);
  assert.deepEqual(parseRoutes('[]', 6), []);
});
