/**
 * The explains lists of these rules, seen through the real engine ranking (judge): for the classic
 * combinations the root cause is primary and the symptoms are marked as explained by it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge } from '../diagnose/judge.js';
import type { Observation } from '../model/observation.js';
import type { Report } from '../model/report.js';
import { clock, ctx, type CtxInput, dnsConfig, dnsQuery, dnsSystem, echo, firewall, hosts, link, links, loopback, neighbor, routeLookup, tcp } from './fixtures.js';

function report(target: string, observations: Observation[], options: CtxInput['options'] = {}): Report {
  const c = ctx({ target, observations, options });
  return judge({ target: c.target, options: c.options, observations, snapshot: null, startedAt: c.now, durationMs: 1, layerMs: () => 0, skips: new Map(), addresses: [], now: c.now });
}
const explained = (r: Report) => Object.fromEntries(r.findings.map((f) => [f.code, f.explainedBy ?? null]));

test('a dead gateway is primary over the unreachable resolvers it causes', () => {
  const r = report('app.lab.test:443', [
    dnsConfig(),
    dnsQuery({ outcome: 'timeout' }),
    dnsQuery({ qtype: 'AAAA', outcome: 'timeout' }),
    dnsSystem([]),
    routeLookup('198.51.100.53', { gateway: '198.51.100.1' }),
    neighbor({ state: 'FAILED', answered: false }),
  ]);
  assert.equal(r.primary?.code, 'NET-002');
  assert.deepEqual(explained(r), { 'NET-002': null, 'DNS-001': 'NET-002' });
});

test('an interface that is down outranks everything above it', () => {
  const r = report('203.0.113.10:443', [links(loopback(), link('eth0', { up: false, carrier: false })), routeLookup('203.0.113.10', { outcome: 'no-route', dev: null, gateway: null, route: null })]);
  assert.equal(r.primary?.code, 'HOST-001');
  assert.equal(explained(r)['NET-001'], 'HOST-001');
});

test('a local firewall drop explains the silent port and the dead resolver', () => {
  const r = report('203.0.113.10:443', [
    firewall({ verdict: 'DROP', rule: { backend: 'iptables', table: 'filter', chain: 'OUTPUT', number: 1, text: '-A OUTPUT -j DROP' } }),
    tcp({ outcome: 'filtered' }),
    echo({ received: 0 }),
  ]);
  assert.equal(r.primary?.code, 'NET-006');
  assert.equal(r.verdict, 'fault');
});

test('a hosts override is primary over the answer mismatch it produces', () => {
  const r = report(
    'app.lab.test:443',
    [hosts([{ line: 4, address: '198.51.100.99', names: ['app.lab.test'], text: '198.51.100.99 app.lab.test' }]), dnsQuery({ answers: ['203.0.113.10'] }), dnsSystem(['198.51.100.99'])],
    { expectIp: ['203.0.113.10'] },
  );
  assert.equal(r.primary?.code, 'DNS-004');
  assert.equal(explained(r)['DNS-005'], 'DNS-004');
});

test('ICMP filtered alone is a warning: degraded, no primary; a slow resolver likewise', () => {
  const r = report('203.0.113.10:443', [echo({ received: 0 }), tcp()]);
  assert.equal(r.verdict, 'degraded');
  assert.equal(r.primary, null);
  const s = report('app.lab.test:443', [
    dnsConfig({ nameservers: ['198.51.100.53', '203.0.113.53'] }),
    dnsQuery({ outcome: 'timeout' }),
    dnsQuery({ server: '203.0.113.53' }),
    dnsSystem(['203.0.113.10']),
    tcp(),
  ]);
  assert.deepEqual([s.verdict, s.findings.map((f) => f.code)], ['degraded', ['DNS-006']]);
});

test('a healthy set of observations gives no finding at all', () => {
  const r = report('app.lab.test:443', [
    links(),
    dnsConfig(),
    dnsQuery(),
    dnsQuery({ qtype: 'AAAA' }),
    dnsSystem(['203.0.113.10']),
    routeLookup(),
    neighbor(),
    echo(),
    tcp(),
    firewall(),
    clock([120]),
  ]);
  assert.deepEqual(r.findings, []);
  assert.equal(r.verdict, 'ok');
});
