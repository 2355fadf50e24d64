import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNeighbors } from './neigh.js';
import { fixture } from '../fixture-files.js';
import { ParseError } from '../../model/errors.js';

test('a missing lab address is INCOMPLETE, then FAILED; the router is REACHABLE', () => {
  const early = parseNeighbors(fixture('lab-ip-neigh-incomplete.json'));
  const late = parseNeighbors(fixture('lab-ip-neigh.json'));
  assert.deepEqual(early.find((n) => n.address === '198.51.100.77')?.state, ['INCOMPLETE']);
  assert.deepEqual(
    late.find((n) => n.address === '198.51.100.77'),
    { family: 4, address: '198.51.100.77', dev: 'a0', lladdr: null, state: ['FAILED'], router: false },
  );
  assert.deepEqual(late.find((n) => n.address === '2001:db8:1::77')?.state, ['FAILED']);
  const gw = late.find((n) => n.address === '198.51.100.2');
  assert.deepEqual([gw?.state, gw?.family], [['REACHABLE'], 4]);
  assert.equal(late.find((n) => n.address === '198.51.100.50')?.lladdr, '02:00:00:00:00:50');
  assert.deepEqual(late.find((n) => n.address === '198.51.100.50')?.state, ['PERMANENT']);
});

test('an IPv6 router neighbor carries the router flag', () => {
  const r = parseNeighbors(fixture('lab-ip-neigh.json')).find((n) => n.address === '2001:db8:1::2');
  assert.equal(r?.router, true);
  assert.equal(r?.family, 6);
});

test('root namespace neighbors parse', () => {
  assert.ok(parseNeighbors(fixture('root-ip-neigh.json')).every((n) => n.dev.length > 0));
});

test('bad input is a ParseError', () => {
  assert.throws(() => parseNeighbors('[{"dst":"zz","dev":"a0"}]'), /neighbor #0: expected "dst" to be an IP address/);
  assert.throws(() => parseNeighbors('[{"dst":"10.0.0.1"}]'), /"dev" to be a string/);
  assert.throws(() => parseNeighbors('[{"dst":"10.0.0.1","dev":"x","state":"FAILED"}]'), ParseError);
});
