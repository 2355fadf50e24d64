import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './host-002-no-address.js';
import { assertFinding, commands, link, links, loopback, routeLookup, run } from './fixtures.js';

test('invalid: the egress interface has only an APIPA address (DHCP failed) → HOST-002', () => {
  const obs = [links(loopback(), link('eth0', { addresses: [{ family: 4, address: '169.254.7.9', prefixlen: 16, scope: 'link' }] })), routeLookup('203.0.113.10')];
  const f = assertFinding(rule, run(rule, obs));
  assert.equal(f.title, 'The egress interface eth0 has no IPv4 address');
  assert.deepEqual(commands(f), ['dhclient -4 -v eth0']);
  assert.match(f.evidence[1]!.summary, /169\.254\.7\.9\/16 \(link\)/);
});

test('invalid: IPv6 target, the interface has only a link-local IPv6 address', () => {
  const obs = [
    links(
      link('eth0', {
        addresses: [
          { family: 4, address: '198.51.100.10', prefixlen: 24, scope: 'global' },
          { family: 6, address: 'fe80::1', prefixlen: 64, scope: 'link' },
        ],
      }),
    ),
    routeLookup('2001:db8::10', { gateway: 'fe80::ff', route: 'default via fe80::ff dev eth0' }),
  ];
  const f = assertFinding(rule, run(rule, obs, { target: '[2001:db8::10]:443' }));
  assert.deepEqual(commands(f), ['dhclient -6 -v eth0']);
});

test('valid: a global address of the family → null; no route lookup or no link data → null', () => {
  assert.equal(run(rule, [links(), routeLookup()]), null);
  assert.equal(run(rule, [links(link('eth0', { addresses: [] }))]), null);
  assert.equal(run(rule, [routeLookup()]), null);
  // No route and no address of the family on any up interface: the address is what is missing (below).
  assert.equal(run(rule, [links(link('eth0', { addresses: [] })), routeLookup('203.0.113.10', { outcome: 'no-route', dev: null, gateway: null })])?.code, 'HOST-002');
});

test('invalid: no IPv4 route and no up interface has an IPv4 address (only IPv6) → HOST-002, which explains NET-001', async () => {
  const { run: runRule, routeLookup: rl, assertFinding: af } = await import('./fixtures.js');
  const { observation } = await import('../model/observation.js');
  const links = observation('host.links', {
    links: [
      { name: 'lo', up: true, carrier: true, mtu: 65536, kind: 'loopback', loopback: true, addresses: [{ family: 4, address: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
      {
        name: 'eth0',
        up: true,
        carrier: true,
        mtu: 1500,
        kind: 'veth',
        loopback: false,
        addresses: [
          { family: 6, address: '2001:db8:1::10', prefixlen: 64, scope: 'global' },
          { family: 6, address: 'fe80::1', prefixlen: 64, scope: 'link' },
        ],
      },
    ],
  });
  const noRoute = rl('203.0.113.10', { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, error: 'Network is unreachable' });
  const f = af(rule, runRule(rule, [links, noRoute]));
  assert.match(f.title, /eth0 has no IPv4 address/);
  assert.ok(rule.meta.explains?.includes('NET-001'));
  // an interface with an IPv4 address: not this fault (a missing route is NET-001's)
  const withV4 = observation('host.links', {
    links: [{ name: 'eth0', up: true, carrier: true, mtu: 1500, kind: 'veth', loopback: false, addresses: [{ family: 4, address: '198.51.100.10', prefixlen: 28, scope: 'global' }] }],
  });
  assert.equal(runRule(rule, [withV4, noRoute]), null);
});
