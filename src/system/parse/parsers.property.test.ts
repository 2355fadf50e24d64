/**
 * Every parser of untrusted text: any input gives typed data or a ParseError naming the input —
 * never another exception — including mutated real captures (truncated, fields removed, values of
 * the wrong type) and large adversarial inputs (the test's timeout is the hang guard).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParseError } from '../../model/errors.js';
import { fixture, routeGetFixture } from '../fixture-files.js';
import { parseLinks } from './links.js';
import { parseRoutes } from './routes.js';
import { parseRouteGet, classifyRouteGetError } from './route-get.js';
import { parsePolicyRules } from './rules.js';
import { parseNeighbors } from './neigh.js';
import { parseResolvConf } from './resolv.js';
import { parseHosts } from './hosts.js';
import { parseNsswitch } from './nsswitch.js';
import { parseListening } from './ss.js';
import type { Route } from '../../model/snapshot.js';

/** Runs a parser: 'ok' with a checked value, or 'parse-error'; anything else fails the property. */
function outcome<T>(parse: () => T, check: (v: T) => void = () => {}): 'ok' | 'parse-error' {
  let v: T;
  try {
    v = parse();
  } catch (err) {
    if (err instanceof ParseError) {
      assert.ok(err.message.length > 0 && err.message.length < 1000, 'a short message');
      assert.ok(err.message.startsWith(err.input), 'the message names the input');
      return 'parse-error';
    }
    throw err;
  }
  check(v);
  return 'ok';
}

const checkRoutes = (rs: Route[]) => {
  for (const r of rs) {
    assert.match(r.dst, /\/\d+$/);
    assert.equal(typeof r.text, 'string');
    assert.ok(!r.text.includes('\n'));
    assert.ok(Array.isArray(r.nexthops));
  }
};

interface JsonParser {
  name: string;
  run: (text: string) => unknown;
  check?: (v: never) => void;
  fixtures: string[];
  keys: string[];
}

const JSON_PARSERS: JsonParser[] = [
  {
    name: 'links',
    run: (s) => parseLinks(s),
    fixtures: ['lab-ip-addr.json', 'lab-ip-addr-d.json', 'root-ip-addr.json'],
    keys: ['ifindex', 'ifname', 'flags', 'mtu', 'operstate', 'linkinfo', 'address', 'master', 'link_type', 'addr_info', 'family', 'local', 'prefixlen', 'scope', 'dynamic'],
  },
  { name: 'link details', run: (s) => parseLinks(fixture('lab-ip-addr.json'), s), fixtures: ['lab-ip-link-d.json'], keys: ['ifindex', 'linkinfo', 'info_kind', 'master'] },
  {
    name: 'routes v4',
    run: (s) => parseRoutes(s, 4),
    check: checkRoutes as (v: never) => void,
    fixtures: ['lab-ip-route4.json', 'root-ip-route4.json'],
    keys: ['dst', 'type', 'table', 'gateway', 'via', 'host', 'family', 'dev', 'prefsrc', 'metric', 'protocol', 'scope', 'flags', 'nexthops', 'weight', 'metrics', 'mtu', 'tos', 'from', 'pref', 'nhid'],
  },
  {
    name: 'routes v6',
    run: (s) => parseRoutes(s, 6),
    check: checkRoutes as (v: never) => void,
    fixtures: ['lab-ip-route6.json', 'root-ip-route6.json'],
    keys: ['dst', 'type', 'table', 'gateway', 'dev', 'metric', 'flags', 'nexthops', 'pref', 'from'],
  },
  { name: 'route get', run: (s) => parseRouteGet(s), fixtures: [], keys: ['dst', 'from', 'gateway', 'via', 'dev', 'prefsrc', 'table', 'type', 'mark', 'uid', 'cache', 'flags', 'iif', 'metric'] },
  {
    name: 'rules v4',
    run: (s) => parsePolicyRules(s, 4),
    fixtures: ['lab-ip-rule4.json', 'root-ip-rule4.json'],
    keys: [
      'priority',
      'src',
      'srclen',
      'dst',
      'dstlen',
      'not',
      'fwmark',
      'fwmask',
      'iif',
      'oif',
      'table',
      'action',
      'goto',
      'nop',
      'suppress_prefixlen',
      'uid_start',
      'uid_end',
      'ipproto',
      'dport',
      'sport_start',
      'tos',
    ],
  },
  { name: 'rules v6', run: (s) => parsePolicyRules(s, 6), fixtures: ['lab-ip-rule6.json'], keys: ['priority', 'src', 'srclen', 'dst', 'dstlen', 'table', 'action', 'fwmark'] },
  { name: 'neighbors', run: (s) => parseNeighbors(s), fixtures: ['lab-ip-neigh.json', 'lab-ip-neigh-incomplete.json', 'root-ip-neigh.json'], keys: ['dst', 'dev', 'lladdr', 'state', 'router'] },
];
for (const name of ['default-gw', 'multipath', 'mark', 'iif-local', 'v6-default', 'broadcast']) JSON_PARSERS[4]?.fixtures.push(`route-get:${name}`);

const load = (f: string): string => (f.startsWith('route-get:') ? routeGetFixture(f.slice('route-get:'.length)).stdout : fixture(f));

/** Every (container, key) in a JSON value, to remove or retype one. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): Array<[Record<string, unknown> | unknown[], string | number]> {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots(x, out);
    }
  }
  return out;
}

function mutate(text: string, op: 'truncate' | 'drop' | 'retype', at: number, value: unknown): string {
  if (op === 'truncate') return text.slice(0, at % (text.length + 1));
  const doc = JSON.parse(text) as unknown;
  const all = slots(doc);
  if (all.length === 0) return text;
  const [container, key] = all[at % all.length] as [Record<string, unknown> | unknown[], string | number];
  if (op === 'drop') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (Array.isArray(container)) container[key as number] = value;
  else container[key as string] = value;
  return JSON.stringify(doc);
}

const RUNS = { numRuns: 300 };

for (const p of JSON_PARSERS) {
  const check = (p.check ?? (() => {})) as (v: unknown) => void;
  test(`${p.name}: the real captures parse`, () => {
    for (const f of p.fixtures)
      assert.equal(
        outcome(() => p.run(load(f)), check),
        'ok',
        f,
      );
  });

  test(`${p.name}: arbitrary text and JSON → data or ParseError`, { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => void outcome(() => p.run(s), check)),
      RUNS,
    );
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), (s) => void outcome(() => p.run(s), check)),
      RUNS,
    );
    // Objects with the keys the parser reads, holding values of any type.
    const entry = fc.dictionary(fc.constantFrom(...p.keys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), (list) => void outcome(() => p.run(JSON.stringify(list)), check)),
      RUNS,
    );
  });

  if (p.fixtures.length > 0) {
    test(`${p.name}: mutated real captures → data or ParseError`, { timeout: 60_000 }, () => {
      const texts = p.fixtures.map(load);
      fc.assert(
        fc.property(
          fc.constantFrom(...texts),
          fc.constantFrom('truncate', 'drop', 'retype') as fc.Arbitrary<'truncate' | 'drop' | 'retype'>,
          fc.nat(),
          fc.jsonValue({ maxDepth: 1 }),
          (text, op, at, value) => {
            void outcome(() => p.run(mutate(text, op, at, value)), check);
          },
        ),
        { numRuns: 600 },
      );
    });
  }
}

const TEXT_PARSERS: Array<{ name: string; run: (s: string) => unknown; fixtures: string[]; words: string[] }> = [
  {
    name: 'resolv.conf',
    run: (s) => parseResolvConf(s),
    fixtures: ['root-resolv.conf'],
    words: ['nameserver', 'search', 'domain', 'options', 'timeout:', 'attempts:', 'ndots:', 'rotate', '#', ';', '198.51.100.53', '2001:db8::1', 'fe80::1%eth0', ' ', '\t', '\n', '\r\n'],
  },
  { name: 'hosts', run: (s) => parseHosts(s), fixtures: ['root-hosts'], words: ['127.0.0.1', '::1', 'localhost', 'api.lab.test', '#', ' ', '\t', '\n', '%', '2001:db8::7'] },
  { name: 'nsswitch', run: (s) => parseNsswitch(s), fixtures: ['root-nsswitch.conf'], words: ['hosts:', 'files', 'dns', '[', ']', '=', 'NOTFOUND', 'return', '!', '#', ' ', '\n'] },
  {
    name: 'ss',
    run: (s) => parseListening(s),
    fixtures: ['lab-ss-ltnup.txt', 'root-ss-ltnup.txt'],
    words: ['tcp', 'udp', 'LISTEN', 'UNCONN', '0', '128', '0.0.0.0:22', '[::]:443', '*:53', '127.0.0.53%lo:53', 'users:(("a",pid=1,fd=3))', ':', ' ', '\n'],
  },
];

for (const p of TEXT_PARSERS) {
  test(`${p.name}: arbitrary and mutated text → data or ParseError`, { timeout: 60_000 }, () => {
    for (const f of p.fixtures)
      assert.equal(
        outcome(() => p.run(fixture(f))),
        'ok',
        f,
      );
    fc.assert(
      fc.property(fc.string({ maxLength: 500, unit: 'binary' }), (s) => void outcome(() => p.run(s))),
      RUNS,
    );
    const tokens = fc.array(fc.constantFrom(...p.words), { maxLength: 60 }).map((w) => w.join(''));
    fc.assert(
      fc.property(tokens, (s) => void outcome(() => p.run(s))),
      { numRuns: 600 },
    );
    const texts = p.fixtures.map((f) => fixture(f));
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.string({ maxLength: 20 }), (text, at, insert) => {
        const i = at % (text.length + 1);
        void outcome(() => p.run(text.slice(0, i) + insert + text.slice(i)));
        void outcome(() => p.run(text.slice(0, i)));
      }),
      RUNS,
    );
  });
}

test('large adversarial inputs finish (no backtracking blow-up)', { timeout: 30_000 }, () => {
  const n = 200_000;
  const big = [
    '['.repeat(n),
    ' '.repeat(n) + 'x',
    `hosts: ${'[ '.repeat(n / 2)}`,
    `hosts: [${' = '.repeat(n / 3)}`,
    `nameserver ${' '.repeat(n)}#`,
    `127.0.0.1 ${'a '.repeat(n / 2)}`,
    `tcp LISTEN 0 1 0.0.0.0:1 *:* users:(("${'\\"'.repeat(n / 2)}`,
    `${'x:'.repeat(n / 2)}`,
    '\n'.repeat(n),
  ];
  for (const s of big) for (const p of [...TEXT_PARSERS.map((t) => t.run), (x: string) => parseRoutes(x, 4), (x: string) => parseLinks(x)]) outcome(() => p(s));
  const manyRoutes = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ dst: `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, gateway: '198.51.100.2', dev: 'a0', flags: [] })));
  assert.equal((parseRoutes(manyRoutes, 4) as Route[]).length, 20_000);
});

test('classifyRouteGetError never throws and always names a kind', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.boolean(), fc.boolean(), (s, a, b) => {
      const r = classifyRouteGetError(s, { unreachableRuleMatched: a, withIif: b });
      assert.ok(['no-route', 'blackhole', 'unreachable', 'prohibit', 'error'].includes(r.kind));
      assert.ok(r.error.length > 0);
    }),
    RUNS,
  );
});
