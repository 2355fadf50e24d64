import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLinks } from './links.js';
import { fixture } from '../fixture-files.js';
import { ParseError } from '../../model/errors.js';

const links = parseLinks(fixture('lab-ip-addr.json'), fixture('lab-ip-link-d.json'));
const link = (name: string) => {
  const l = links.find((x) => x.name === name);
  assert.ok(l, name);
  return l;
};

test('admin state, carrier and kind come from flags and linkinfo', () => {
  assert.deepEqual([link('a0').up, link('a0').carrier, link('a0').kind, link('a0').operstate], [true, true, 'veth', 'UP']);
  // a2 is up but its peer is down: NO-CARRIER.
  assert.deepEqual([link('a2').up, link('a2').carrier, link('a2').operstate], [true, false, 'DOWN']);
  // tun-fx was never brought up: carrier unknown.
  assert.deepEqual([link('tun-fx').up, link('tun-fx').carrier, link('tun-fx').kind, link('tun-fx').mac], [false, null, 'tun', null]);
  assert.deepEqual([link('lo').loopback, link('lo').kind], [true, 'loopback']);
  assert.equal(link('br-fx').kind, 'bridge');
  assert.equal(link('a3').master, 'br-fx');
  assert.equal(link('a1').mtu, 1400);
});

test('addresses of both families, secondary and dynamic ones', () => {
  assert.deepEqual(
    link('a0').addresses.map((a) => `${a.address}/${a.prefixlen} ${a.scope}`),
    ['198.51.100.1/24 global', '198.51.100.10/24 global', '2001:db8:1::1/64 global', link('a0').addresses[3]?.address + '/64 link'],
  );
  const dyn = link('a1').addresses.find((a) => a.address === '2001:db8:2::99');
  assert.equal(dyn?.dynamic, true);
  assert.equal(link('a1').addresses.find((a) => a.address === '2001:db8:2::1')?.dynamic, undefined);
});

test('ip -j -d addr alone gives the same links', () => {
  assert.deepEqual(parseLinks(fixture('lab-ip-addr-d.json')), links);
});

test('root namespace links parse', () => {
  const root = parseLinks(fixture('root-ip-addr.json'), fixture('root-ip-link-d.json'));
  assert.ok(root.some((l) => l.loopback && l.up));
});

test('bad input is a ParseError', () => {
  assert.throws(() => parseLinks('[{"ifname":"x"}]'), /link #0: expected "ifindex" to be a number/);
  assert.throws(() => parseLinks('[{"ifname":"x","ifindex":1,"addr_info":[{"family":"inet","local":"::1","prefixlen":8}]}]'), /IPv4 address/);
  assert.throws(() => parseLinks('[]', '{'), ParseError);
});
