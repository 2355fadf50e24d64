import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRouteGetError, parseRouteGet } from './route-get.js';
import { routeGetFixture } from '../fixture-files.js';
import { ParseError } from '../../model/errors.js';

const ok = (name: string) => {
  const f = routeGetFixture(name);
  assert.equal(f.rc, 0, name);
  return parseRouteGet(f.stdout);
};

test('a route via the default gateway', () => {
  const r = ok('default-gw');
  assert.deepEqual([r.family, r.type, r.dst, r.gateway, r.dev, r.src, r.table], [4, 'unicast', '100.100.1.1', '198.51.100.2', 'a0', '198.51.100.1', 'main']);
  assert.equal(r.text, '100.100.1.1 via 198.51.100.2 dev a0 src 198.51.100.1');
});

test('connected, local, broadcast, marked, from and iif lookups', () => {
  assert.equal(ok('connected').gateway, null);
  assert.deepEqual([ok('local').type, ok('local').dev, ok('local').table], ['local', 'lo', 'local']);
  assert.deepEqual(ok('broadcast').cache, ['local', 'brd']);
  const marked = ok('mark');
  assert.deepEqual([marked.table, marked.mark, marked.gateway], ['100', 1, '198.51.100.2']);
  assert.equal(ok('from').from, '198.51.100.1');
  assert.deepEqual([ok('iif-local').iif, ok('iif-local').type], ['a1', 'local']);
  assert.equal(ok('with-src').src, '198.51.100.10');
  const v6 = ok('v6-default');
  assert.deepEqual([v6.family, v6.gateway, v6.metric, v6.from], [6, '2001:db8:1::2', 100, '::']);
});

test("the kernel's refusals map to kinds", () => {
  const kind = (name: string, ctx = {}) => {
    const f = routeGetFixture(name);
    assert.notEqual(f.rc, 0, name);
    return classifyRouteGetError(f.stderr, ctx).kind;
  };
  assert.equal(kind('blackhole'), 'blackhole');
  assert.equal(kind('v6-blackhole'), 'blackhole');
  assert.equal(kind('rule-blackhole'), 'blackhole');
  assert.equal(kind('from-blackhole-table'), 'blackhole');
  assert.equal(kind('unreachable'), 'unreachable');
  assert.equal(kind('v6-unreachable'), 'unreachable');
  assert.equal(kind('prohibit'), 'prohibit');
  assert.equal(kind('v6-prohibit'), 'prohibit');
  assert.equal(kind('rule-prohibit'), 'prohibit');
  assert.equal(kind('no-route'), 'no-route');
  assert.equal(kind('v6-no-route'), 'no-route');
  assert.equal(kind('throw'), 'no-route');
  // An unreachable *rule* answers ENETUNREACH like a missing route; the caller looks at the rules.
  assert.equal(kind('rule-unreachable'), 'no-route');
  assert.equal(kind('rule-unreachable', { unreachableRuleMatched: true }), 'unreachable');
  // With iif and forwarding off, "No route to host" is not an unreachable route.
  assert.equal(kind('iif-no-forwarding', { withIif: true }), 'error');
  assert.match(classifyRouteGetError(routeGetFixture('iif-no-forwarding').stderr, { withIif: true }).error, /^No route to host \(as input .*forwarding is off/);
  assert.equal(kind('iif-no-forwarding', { withIif: true, unreachableRouteMatched: true }), 'unreachable');
  assert.equal(classifyRouteGetError(routeGetFixture('no-route').stderr).error, 'Network is unreachable');
  assert.equal(classifyRouteGetError(routeGetFixture('invalid-arg').stderr).kind, 'error');
});

test('bad input is a ParseError', () => {
  assert.throws(() => parseRouteGet(''), ParseError);
  assert.throws(() => parseRouteGet('[]'), /expected one route/);
  assert.throws(() => parseRouteGet('[{"dst":"default"}]'), /"dst" to be an IP address/);
  assert.throws(() => parseRouteGet('[{"dst":"10.0.0.1","mark":"1"}]'), /"mark" to be a number/);
});
