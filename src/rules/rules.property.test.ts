/**
 * Property test: observations may come from a snapshot made on another machine (`netdx analyze`),
 * so the host/dns/network/app rules must take any well-typed observation set without throwing, and
 * whatever they report must satisfy the report contract (schema, no unfilled placeholder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FindingSchema } from '../model/report.js';
import type { Observation } from '../model/observation.js';
import { RULES } from './index.js';
import * as F from './fixtures.js';
import { hop, trace } from './trace-fixtures.js';

const MINE = /^(HOST|DNS|NET|VPN|APP)-/;
const rules = RULES.filter((r) => MINE.test(r.meta.code));

const ip = fc.oneof(fc.constantFrom('203.0.113.10', '198.51.100.1', '198.51.100.53', '2001:db8::10', 'fe80::1', '169.254.1.1', '::ffff:203.0.113.10'), fc.ipV4(), fc.ipV6());
const dev = fc.constantFrom('eth0', 'wlan0', 'tun0', 'lo');
const small = fc.integer({ min: 0, max: 20 });
const ms = fc.double({ min: 0, max: 60_000, noNaN: true });
// Free text without braces: a '{word}' inside data would be indistinguishable from an unfilled placeholder.
const text = fc.string({ maxLength: 30 }).map((s) => s.replace(/[{}]/g, ''));

const addr = fc.record({ family: fc.constantFrom(4 as const, 6 as const), address: ip, prefixlen: fc.integer({ min: 0, max: 128 }), scope: fc.constantFrom('global', 'link', 'host', 'site') });
const linkArb = fc.record({
  name: dev,
  up: fc.boolean(),
  carrier: fc.option(fc.boolean(), { nil: null }),
  mtu: fc.option(fc.integer({ min: 68, max: 65536 }), { nil: null }),
  kind: fc.option(fc.constantFrom('veth', 'tun', 'wireguard', 'loopback'), { nil: null }),
  loopback: fc.boolean(),
  addresses: fc.array(addr, { maxLength: 3 }),
});
const icmpErr = fc.record({
  type: fc.integer({ min: 0, max: 12 }),
  code: fc.integer({ min: 0, max: 15 }),
  from: ip,
  name: fc.constantFrom('host-unreachable', 'admin-prohibited', 'port-unreachable', 'frag-needed', 'time-exceeded', 'x'),
});
const candidate = fc.record({
  prefix: fc.constantFrom('0.0.0.0/0', '203.0.113.0/24', '::/0', 'default'),
  table: fc.constantFrom('main', '100', 'local'),
  dev: fc.option(dev, { nil: null }),
  gateway: fc.option(ip, { nil: null }),
  metric: fc.option(small, { nil: null }),
  type: fc.constantFrom('unicast', 'blackhole'),
  text,
});
const fwRule = fc.record({
  backend: fc.constantFrom('iptables' as const, 'ip6tables' as const, 'nft' as const),
  table: fc.constantFrom('filter', 'mangle'),
  chain: fc.constantFrom('OUTPUT', 'INPUT', 'ufw-user-output', 'output'),
  number: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
  text,
  handle: fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined }),
  family: fc.option(fc.constantFrom('inet', 'ip', 'ip6'), { nil: undefined }),
});

const obsArb: fc.Arbitrary<Observation> = fc.oneof(
  fc.array(linkArb, { maxLength: 4 }).map((l) => F.links(...l)),
  fc.array(fc.integer({ min: -1e9, max: 1e9 }), { maxLength: 3 }).map((s) => F.clock(s)),
  fc
    .record({
      selected: fc.option(fc.record({ variable: fc.constantFrom('https_proxy', 'ALL_PROXY'), host: ip, port: fc.integer({ min: 1, max: 65535 }) }), { nil: null }),
      variables: fc.array(fc.record({ name: fc.constantFrom('https_proxy', 'no_proxy'), value: text }), { maxLength: 2 }),
    })
    .map((o) => F.proxy(o)),
  fc.record({ host: ip, port: fc.integer({ min: 1, max: 65535 }), outcome: fc.constantFrom('open' as const, 'refused' as const, 'filtered' as const, 'error' as const) }).map((o) => F.proxyConnect(o)),
  fc.record({ nameservers: fc.array(ip, { maxLength: 3 }), timeoutSec: small, rotate: fc.boolean() }).map((o) => F.dnsConfig(o)),
  fc.array(fc.record({ line: fc.integer({ min: 1, max: 999 }), address: ip, names: fc.constant<string[]>(['app.lab.test']), text }), { maxLength: 3 }).map((m) => F.hosts(m)),
  fc
    .record({
      server: ip,
      qtype: fc.constantFrom('A' as const, 'AAAA' as const),
      outcome: fc.constantFrom('answer' as const, 'timeout' as const, 'unreachable' as const, 'error' as const),
      rcode: fc.option(fc.constantFrom('NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'), { nil: null }),
      answers: fc.array(ip, { maxLength: 3 }),
      ms,
    })
    .map((o) => F.dnsQuery(o)),
  fc.record({ a: fc.array(ip, { maxLength: 3 }), error: fc.option(fc.constantFrom('ENOTFOUND', 'EAI_AGAIN'), { nil: null }) }).map((o) => F.dnsSystem(o.a, { error: o.error })),
  fc
    .record({
      destination: ip,
      outcome: fc.constantFrom('route' as const, 'no-route' as const, 'blackhole' as const),
      dev: fc.option(dev, { nil: null }),
      gateway: fc.option(ip, { nil: null }),
      table: fc.option(fc.constantFrom('main', '100'), { nil: null }),
      route: fc.option(text, { nil: null }),
      candidates: fc.array(candidate, { maxLength: 3 }),
    })
    .map((o) => F.routeLookup(o.destination, o)),
  fc
    .record({ gateway: ip, dev, state: fc.option(fc.constantFrom('REACHABLE', 'STALE', 'FAILED', 'INCOMPLETE', 'NOARP'), { nil: null }), answered: fc.option(fc.boolean(), { nil: null }) })
    .map((o) => F.neighbor(o)),
  fc
    .record({ address: ip, method: fc.constantFrom('raw' as const, 'ping' as const, 'unavailable' as const), sent: small, errors: fc.array(icmpErr, { maxLength: 2 }) })
    .chain((o) => small.map((r) => F.echo({ ...o, received: Math.min(r, o.sent) }))),
  fc
    .record({
      chain: fc.constantFrom('OUTPUT' as const, 'INPUT' as const),
      proto: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const, 'icmpv6' as const),
      dst: ip,
      dport: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
      verdict: fc.constantFrom('ACCEPT' as const, 'DROP' as const, 'REJECT' as const, 'UNKNOWN' as const),
      rule: fc.option(fwRule, { nil: null }),
    })
    .map((o) => F.firewall(o)),
  fc
    .record({
      address: ip,
      outcome: fc.constantFrom('open' as const, 'refused' as const, 'filtered' as const, 'rejected' as const, 'unreachable' as const),
      icmp: fc.option(icmpErr, { nil: undefined }),
    })
    .map((o) => F.tcp(o)),
  fc
    .record({ status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }), outcome: fc.constantFrom('response' as const, 'timeout' as const), server: fc.option(text, { nil: null }) })
    .map((o) => F.http(o)),
  // Traces: hops that answer or not, rate-limited or not, up to the target or not (never "hop 0").
  fc.array(fc.record({ recv: fc.integer({ min: 0, max: 10 }), rateLimited: fc.boolean() }), { minLength: 1, maxLength: 6 }).chain((hs) =>
    fc.boolean().map((reach) =>
      trace(
        hs.map((h, i) => hop(i + 1, { recv: h.recv, rateLimited: h.rateLimited, ...(h.recv === 0 ? { addr: null, addrs: [], rtt: null } : {}), target: reach && i === hs.length - 1 && h.recv > 0 })),
        { target: '203.0.113.10' },
      ),
    ),
  ),
);

const input = fc.record({
  target: fc.constantFrom('app.lab.test:443', '203.0.113.10', '[2001:db8::10]:443', 'https://app.lab.test/x', 'http://203.0.113.10/'),
  lang: fc.constantFrom('en' as const, 'zh' as const),
  expectIp: fc.option(fc.array(ip, { maxLength: 2 }), { nil: undefined }),
  expectGateway: fc.option(ip, { nil: undefined }),
  observations: fc.array(obsArb, { maxLength: 12 }),
});

test('host/dns/network/tunnel/app rules never throw and report only contract-valid findings', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(input, (i) => {
      const options = { ...(i.expectIp ? { expectIp: i.expectIp } : {}), ...(i.expectGateway ? { expectGateway: i.expectGateway } : {}) };
      const c = F.ctx({ target: i.target, lang: i.lang, observations: i.observations, options });
      for (const r of rules) {
        const f = r.check(c);
        if (!f) continue;
        seen.add(f.code);
        FindingSchema.parse(f);
        assert.equal(f.code, r.meta.code);
        for (const s of [f.title, f.explanation, ...f.fix.flatMap((x) => [x.summary, x.command ?? ''])]) assert.doesNotMatch(s, /\{[a-zA-Z0-9_]+\}/, `${f.code}: ${s}`);
        for (const x of f.fix) if (x.command) assert.doesNotMatch(x.command, /<[a-z_-]+>|undefined|null|NaN/, `${f.code}: ${x.command}`);
        for (const str of [f.title, f.explanation, ...f.evidence.map((e) => e.summary), ...f.fix.map((x) => x.summary)]) assert.doesNotMatch(str, /\bhop 0\b|第 0 跳/, `${f.code}: ${str}`);
      }
    }),
    { numRuns: 400 },
  );
  // The generator must reach the rules, or the property proves nothing.
  assert.ok(seen.size >= 9, `only ${[...seen].join(', ')} were ever reported`);
});
