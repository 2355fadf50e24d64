import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from './engine.js';
import { fakeDeps, fakeSnapshot, route, unreachableDnsQuery, dnsQueryObs } from './testing.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';
import { ReportSchema, contractViolations } from '../model/report.js';
import { t, type MessageKey } from '../report/i18n.js';

const opts = { ...DEFAULT_OPTIONS };

test('healthy TCP target: verdict ok, no error finding, contract holds', async () => {
  const { deps } = fakeDeps();
  const r = await diagnose(parseTarget('srv.lab.test:5000'), opts, deps);
  assert.equal(r.verdict, 'ok');
  assert.equal(r.primary, null);
  ReportSchema.parse(r);
  assert.deepEqual(contractViolations(r), []);
  const status = Object.fromEntries(r.layers.map((l) => [l.layer, l.status]));
  assert.deepEqual(status, { host: 'pass', dns: 'pass', network: 'pass', tunnel: 'skip', transport: 'pass', tls: 'skip', app: 'skip' });
});

test('no route: NET-001 is primary and the layers above are skipped, not probed', async () => {
  const { deps, calls } = fakeDeps({ routeLookup: async (dst) => [route(dst, { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, error: 'Network is unreachable' })] });
  const r = await diagnose(parseTarget('203.0.113.10:443'), opts, deps);
  assert.equal(r.primary?.code, 'NET-001');
  assert.equal(calls.tcp, undefined, 'no TCP probe above a missing route');
  assert.equal(calls.icmp, undefined);
  const status = Object.fromEntries(r.layers.map((l) => [l.layer, l.status]));
  assert.equal(status.network, 'fail');
  assert.equal(status.transport, 'skip');
  assert.equal(status.tls, 'skip');
  assert.equal(r.verdict, 'fault');
});

test('dead resolvers because of a missing route: NET-001 explains DNS-001', async () => {
  const { deps } = fakeDeps({
    systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'EAI_AGAIN', ms: 800 })],
    dnsQuery: unreachableDnsQuery,
    routeLookup: async (dst) => [route(dst, { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, error: 'Network is unreachable' })],
  });
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  assert.equal(r.primary?.code, 'NET-001');
  assert.match(r.primary?.title ?? '', /198\.51\.100\.53/);
  const dns = r.findings.find((f) => f.code === 'DNS-001');
  assert.equal(dns?.explainedBy, 'NET-001');
});

test('independent probes run in parallel: ICMP and TCP are both started before either finishes', async () => {
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  const started: string[] = [];
  const { deps: base } = fakeDeps();
  const { deps } = fakeDeps({
    icmp: async (q, c) => {
      started.push('icmp');
      if (started.length === 2) release();
      await gate;
      return base.icmp(q, c);
    },
    tcp: async (q, c) => {
      started.push('tcp');
      if (started.length === 2) release();
      await gate;
      return base.tcp(q, c);
    },
  });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.deepEqual(started.sort(), ['icmp', 'tcp']);
  assert.equal(r.verdict, 'ok');
});

test('a probe that throws becomes an unknown check, never a crash or a fault', async () => {
  const { deps } = fakeDeps({
    icmp: async () => {
      throw new Error('boom');
    },
  });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(r.verdict, 'ok');
  assert.ok(r.observations.some((o) => o.kind === 'check.unknown' && JSON.stringify(o.data).includes('boom')));
});

test('ICMP unavailable without other evidence makes the network layer unknown with its reason', async () => {
  const { deps } = fakeDeps({
    icmp: async (q) => [
      observation('icmp.echo', { address: q.address, method: 'unavailable', sent: 0, received: 0, lossPct: 0, rtt: null, errors: [], reason: 'no raw socket and no ping' }),
      observation('check.unknown', { layer: 'network', check: 'icmp echo', reason: 'no raw socket and no ping' }),
    ],
  });
  const r = await diagnose(parseTarget('203.0.113.10'), opts, deps);
  const net = r.layers.find((l) => l.layer === 'network');
  assert.equal(net?.status, 'unknown');
  assert.match(net?.reason ?? '', /no raw socket/);
  // A network-level target whose only check could not be made: netdx could not judge it (decision 010).
  assert.equal(r.verdict, 'unknown');
  assert.match(r.undetermined?.[0]?.reason ?? '', /no raw socket/);
});

test('TLS target: handshake runs over the open connection with SNI = host name', async () => {
  const { deps, calls } = fakeDeps();
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  assert.equal(r.verdict, 'ok');
  assert.equal((calls.tls?.[0] as { sni: string }).sni, 'srv.lab.test');
  assert.equal(r.layers.find((l) => l.layer === 'tls')?.status, 'pass');
});

const filtered = (q: { address: string; port: number }) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'filtered', ms: 1150, errno: 'ETIMEDOUT' })];
const deadEcho = (q: { address: string; count: number }) => [observation('icmp.echo', { address: q.address, method: 'raw', sent: q.count, received: 0, lossPct: 100, rtt: null, errors: [] })];

test('a failed probe and a DROP rule whose counter grew: NET-006 names the rule, no trace is run', async () => {
  const before = '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [10:600]\n[0:0] -A OUTPUT -p udp -j ACCEPT\n[0:0] -A OUTPUT -d 203.0.113.10/32 -p tcp -m tcp --dport 5000 -j DROP\nCOMMIT\n';
  const afterText = before.replace('[0:0] -A OUTPUT -d', '[2:120] -A OUTPUT -d');
  const snap = fakeSnapshot({
    firewall: { iptables: { ok: true, value: before }, ip6tables: { ok: false, unavailable: 'x' }, nft: { ok: false, unavailable: 'x' }, ufw: { ok: false, unavailable: 'x' } },
  });
  // The counters are read around the failed flow sent once more, not taken from the snapshot (read beside the first probes).
  const reads: string[] = [];
  let reads0 = 0;
  const { deps, calls } = fakeDeps(
    {
      tcp: async (q) => (reads.push(`tcp ${q.afterMs}`), filtered(q)),
      firewallCounters: async () => (reads.push('counters'), { v4: reads0++ === 0 ? before : afterText, v6: null }),
      trace: async () => [],
    },
    snap,
  );
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(r.primary?.code, 'NET-006');
  assert.ok(
    r.primary?.fix.some((f) => f.command === 'iptables -t filter -D OUTPUT 2'),
    JSON.stringify(r.primary?.fix),
  );
  assert.equal(calls.trace, undefined);
  assert.deepEqual(reads.slice(-3), ['counters', 'tcp 0', 'counters'], 'read, the flow once more, read again');
  // Counters that did not move between the two reads name no rule (the snapshot's older counters are not compared).
  const still = fakeDeps({ tcp: async (q) => filtered(q), firewallCounters: async () => ({ v4: afterText, v6: null }), trace: async () => [] }, snap);
  const r2 = await diagnose(parseTarget('203.0.113.10:5000'), opts, still.deps);
  assert.notEqual(r2.primary?.code, 'NET-006');
});

test('a healthy walk reads no firewall counters', async () => {
  let reads = 0;
  const { deps } = fakeDeps({ firewallCounters: async () => (reads++, { v4: '', v6: null }) });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(r.verdict, 'ok');
  assert.equal(reads, 0);
});

test('no answer to TCP or ICMP and no local rule: the path is traced', async () => {
  const { deps, calls } = fakeDeps({ tcp: async (q) => filtered(q), icmp: async (q) => deadEcho(q), trace: async () => [] });
  await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(calls.trace?.length, 1);
  assert.deepEqual(calls.trace?.[0], { address: '203.0.113.10', proto: 'tcp', port: 5000, count: 5 });
});

test('a filtered port on a host that answers ping is not traced (the server firewall, TCP-002)', async () => {
  const { deps, calls } = fakeDeps({ tcp: async (q) => filtered(q), trace: async () => [] });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(calls.trace, undefined);
  assert.equal(r.primary?.code, 'TCP-002');
});

test('a TLS handshake that stalls triggers the PMTU search', async () => {
  const { deps: base } = fakeDeps();
  const { deps, calls } = fakeDeps({
    tls: async (q, c) => {
      const [o] = await base.tls(q, c);
      return [
        { ...o!, data: { ...(o!.data as object), outcome: 'stall', protocol: null, cipher: null, verify: { ok: false, code: null, hostnameOk: null, trustedBy: 'system' } } } as typeof o & object,
      ];
    },
    pmtu: async () => [],
  });
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  assert.equal(full(calls.pmtu).length, 1);
  assert.equal(r.primary?.code, 'TLS-009');
});

/** The full PMTU searches (with the TCP test), not the quick check of every walk. */
const full = (c: unknown[] | undefined): unknown[] => (c ?? []).filter((q) => !(q as { quick?: boolean }).quick);

test('every network walk runs the quick path-MTU check towards the target, in parallel: a blackhole the handshake does not touch is NET-009', async () => {
  const blackhole = observation('pmtu.search', { target: '203.0.113.10', method: 'raw', largestPass: 1400, smallestFail: 1401, fragNeeded: null, ifMtu: 1500, dev: 'eth0', probes: 37, tcp: null });
  const { deps, calls } = fakeDeps({ pmtu: async (q) => (q.quick ? [blackhole] : []) });
  const r = await diagnose(parseTarget('203.0.113.10:443'), opts, deps);
  assert.deepEqual(calls.pmtu, [{ address: '203.0.113.10', port: null, quick: true, dev: 'eth0' }]);
  assert.equal(r.primary?.code, 'NET-009');
  assert.equal(r.layers.find((l) => l.layer === 'network')?.status, 'fail');
  assert.equal(r.layers.find((l) => l.layer === 'tls')?.status, 'pass');
  const clean = fakeDeps({ pmtu: async () => [observation('pmtu.search', { ...blackhole.data, largestPass: 1500, smallestFail: null, probes: 14 })] });
  assert.equal((await diagnose(parseTarget('203.0.113.10:443'), opts, clean.deps)).verdict, 'ok');
  // Into a tunnel the tunnel layer measures the MTU: no quick check.
  const snap = fakeSnapshot();
  if (snap.links.ok)
    snap.links.value.push({ name: 'wg0', index: 3, up: true, carrier: true, operstate: 'UNKNOWN', mtu: 1420, kind: 'wireguard', loopback: false, mac: null, master: null, addresses: [] });
  const tun = fakeDeps({ routeLookup: async (d) => [route(d, { dev: 'wg0', gateway: null, route: '203.0.113.10 dev wg0' })], pmtu: async () => [] }, snap);
  await diagnose(parseTarget('203.0.113.10:443'), opts, tun.deps);
  assert.equal(tun.calls.pmtu, undefined);
});

test('the quick path-MTU check asks the kernel for the device kind and does not wait for the snapshot; into a tunnel it is not sent', { timeout: 5000 }, async () => {
  let release = (): void => {};
  const late = new Promise<void>((r) => (release = r));
  let sentBeforeSnapshot = false;
  let snapshotDone = false;
  const { deps, calls } = fakeDeps({
    snapshot: async () => {
      await late;
      snapshotDone = true;
      return fakeSnapshot();
    },
    linkKind: () => null,
    pmtu: async () => {
      sentBeforeSnapshot = !snapshotDone;
      release();
      return [];
    },
  });
  await diagnose(parseTarget('203.0.113.10:443'), opts, deps);
  assert.equal(calls.pmtu?.length, 1);
  assert.ok(sentBeforeSnapshot, 'a plain device: the check went out while the snapshot was still being collected');
  // The kernel names a WireGuard device: no check, although the snapshot's links do not know it.
  const wg = fakeDeps({
    routeLookup: async (d) => [route(d, { dev: 'wg0', gateway: null, route: '203.0.113.10 dev wg0' })],
    linkKind: (dev) => (dev === 'wg0' ? 'wireguard' : null),
    pmtu: async () => [],
  });
  await diagnose(parseTarget('203.0.113.10:443'), opts, wg.deps);
  assert.equal(wg.calls.pmtu, undefined);
  assert.deepEqual(wg.calls.linkKind, ['wg0']);
});

test('a slow path (RTT above the NET-008 threshold) is traced even when everything answers', async () => {
  const { deps, calls } = fakeDeps({
    icmp: async (q) => [observation('icmp.echo', { address: q.address, method: 'raw', sent: q.count, received: q.count, lossPct: 0, rtt: { min: 200, avg: 201, max: 203, stddev: 1 }, errors: [] })],
    trace: async () => [],
  });
  await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(calls.trace?.length, 1);
});

const lossyEcho = (q: { address: string; count: number }) => [
  observation('icmp.echo', { address: q.address, method: 'raw', sent: q.count, received: q.count - 1, lossPct: 25, rtt: { min: 0.2, avg: 0.3, max: 0.4, stddev: 0.1 }, errors: [] }),
];

test('a connect that timed out while some echoes came back is traced (heavy loss, not a server firewall)', async () => {
  const { deps, calls } = fakeDeps({ tcp: async (q) => filtered(q), icmp: async (q) => lossyEcho(q), trace: async () => [] });
  await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(calls.trace?.length, 1);
});

test('a connect that needed a SYN retransmission on a fast path is traced', async () => {
  const open = (ms: number) => async (q: { address: string; port: number; afterMs: number }) => [
    observation('tcp.connect', { address: q.address, port: q.port, family: 4 as const, outcome: 'open' as const, ms, after: { event: 'quiet' as const, ms: q.afterMs } }),
  ];
  const slow = fakeDeps({ tcp: open(1003), trace: async () => [] });
  await diagnose(parseTarget('203.0.113.10:5000'), opts, slow.deps);
  assert.equal(slow.calls.trace?.length, 1);
  const fast = fakeDeps({ tcp: open(40), trace: async () => [] });
  await diagnose(parseTarget('203.0.113.10:5000'), opts, fast.deps);
  assert.equal(fast.calls.trace, undefined, 'a normal connect is not traced');
});

test('a TLS handshake far slower than the connect is traced after the handshake; a quick one is not', async () => {
  const { deps: base } = fakeDeps();
  const tlsMs = (ms: number) => async (q: Parameters<typeof base.tls>[0], c: Parameters<typeof base.tls>[1]) => {
    const [o] = await base.tls(q, c);
    return [{ ...o!, data: { ...(o!.data as object), ms } } as typeof o & object];
  };
  const slow = fakeDeps({ tls: tlsMs(1240), trace: async () => [] });
  await diagnose(parseTarget('srv.lab.test:443'), opts, slow.deps);
  assert.equal(slow.calls.trace?.length, 1);
  const quick = fakeDeps({ tls: tlsMs(45), trace: async () => [] });
  await diagnose(parseTarget('srv.lab.test:443'), opts, quick.deps);
  assert.equal(quick.calls.trace, undefined);
});

test('resolvers silent to DNS but answering some echoes: their path is traced for loss, NET-007 explains DNS-001', async () => {
  const hop = (ttl: number, recv: number, target = false) => ({
    ttl,
    addr: target ? '198.51.100.53' : '198.51.100.1',
    addrs: [],
    sent: 10,
    recv,
    lossPct: (10 - recv) * 10,
    rtt: { min: 0.1, avg: 0.2, max: 0.3, stddev: 0.1 },
    rateLimited: false,
    target,
  });
  const { deps, calls } = fakeDeps({
    systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'TIMEOUT', ms: 2000 })],
    dnsQuery: async (q) => [dnsQueryObs(q, { outcome: 'timeout', rcode: null, ms: 800, error: 'no answer within 800 ms' })],
    icmp: async (q) => [observation('icmp.echo', { address: q.address, method: 'raw', sent: 2, received: 1, lossPct: 50, rtt: { min: 0.2, avg: 0.2, max: 0.2, stddev: 0 }, errors: [] })],
    trace: async (q) => [
      observation('trace.path', {
        target: q.address,
        proto: 'icmp',
        port: null,
        method: 'raw',
        skipped: [],
        count: 10,
        reached: true,
        paths: [{ flow: 'icmp ident 7', reached: true, hops: [hop(1, 10), hop(2, 5, true)] }],
      }),
    ],
  });
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  assert.deepEqual(calls.trace?.[0], { address: '198.51.100.53', proto: 'icmp', port: null, count: 10 });
  assert.equal(r.primary?.code, 'NET-007');
  assert.equal(r.findings.find((f) => f.code === 'DNS-001')?.explainedBy, 'NET-007');
});

test('one family times out while the other connects: the timed-out address is tried once more and the second result kept', async () => {
  let v4Tries = 0;
  const { deps } = fakeDeps({
    systemLookup: async (name) => [
      observation('dns.system', {
        name,
        addresses: [
          { address: '203.0.113.10', family: 4 },
          { address: '2001:db8::10', family: 6 },
        ],
        error: null,
        ms: 2,
      }),
    ],
    tcp: async (q) => {
      const six = q.address.includes(':');
      if (!six) v4Tries++;
      const lost = !six && v4Tries === 1;
      return [observation('tcp.connect', { address: q.address, port: q.port, family: six ? 6 : 4, outcome: lost ? 'filtered' : 'open', ms: lost ? 1150 : 1, ...(lost ? { errno: 'ETIMEDOUT' } : {}) })];
    },
  });
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  assert.equal(v4Tries, 2);
  const v4 = r.observations.filter((o) => o.kind === 'tcp.connect' && (o.data as { family: number }).family === 4);
  assert.equal(v4.length, 1);
  assert.deepEqual([(v4[0]!.data as { outcome: string }).outcome, (v4[0]!.data as { attempts?: number }).attempts], ['open', 2]);
  assert.ok(!r.findings.some((f) => f.code === 'TCP-002' || f.code === 'DNS-007'), r.findings.map((f) => f.code).join());
});

test('a filtered port on both families is not tried again (TCP-002 keeps its speed)', async () => {
  const { deps, calls } = fakeDeps({ tcp: async (q) => filtered(q) });
  await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(calls.tcp?.length, 1);
});

test('a flow spread where some source ports answer and others are lost traces two flows of each kind', async () => {
  const flows = [40001, 40002, 40003, 40004, 40005, 40006].map((sport, i) => ({ sport, outcome: i < 3 ? ('answered' as const) : ('lost' as const), ms: i < 3 ? 0.4 : null }));
  const { deps, calls } = fakeDeps({
    spread: async (q) => [observation('tcp.spread', { address: q.address, port: q.port, method: 'raw', flows, answered: 3, lost: 3 })],
    trace: async () => [],
  });
  await diagnose(parseTarget('203.0.113.10:7000'), opts, deps);
  assert.deepEqual(calls.trace?.[0], { address: '203.0.113.10', proto: 'tcp', port: 7000, count: 5, flows: [40001, 40002, 40004, 40005] });
  const whole = fakeDeps({
    spread: async (q) => [observation('tcp.spread', { address: q.address, port: q.port, method: 'raw', flows: flows.map((f) => ({ ...f, outcome: 'answered' as const })), answered: 6, lost: 0 })],
    trace: async () => [],
  });
  await diagnose(parseTarget('203.0.113.10:7000'), opts, whole.deps);
  assert.equal(whole.calls.trace, undefined, 'every flow answered: nothing to trace');
});

test('the flow spread starts when the connect tells its answer, while the connection is still watched; not after a rejection', async () => {
  /** Which of the connect's end and the spread's start came first, with a connect that tells (or not) its answer at once. */
  const orderOf = async (tells: boolean): Promise<string[]> => {
    const order: string[] = [];
    const { deps } = fakeDeps({
      tcp: async (q) => {
        if (tells) q.onAnswer?.('open');
        await new Promise((res) => setTimeout(res, 60));
        order.push('tcp done');
        return [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'open', ms: 1 })];
      },
      spread: async (q) => {
        order.push('spread');
        return [observation('tcp.spread', { address: q.address, port: q.port, method: 'raw', flows: [], answered: 0, lost: 0 })];
      },
    });
    await diagnose(parseTarget('203.0.113.10:7000'), opts, deps);
    return order;
  };
  assert.deepEqual(await orderOf(true), ['spread', 'tcp done']);
  // A probe that does not tell (no onAnswer call): the spread waits for its observation.
  assert.deepEqual(await orderOf(false), ['tcp done', 'spread']);
  const rejected = fakeDeps({
    tcp: async (q) => {
      q.onAnswer?.('rejected');
      return [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'rejected', ms: 1 })];
    },
  });
  await diagnose(parseTarget('203.0.113.10:7000'), opts, rejected.deps);
  assert.equal(rejected.calls.spread, undefined);
});

test('an HTTP response that never comes (or a body that stops) over an open connection triggers the PMTU search', async () => {
  const timeout = fakeDeps({
    http: async (q) => [observation('http.response', { url: q.url, outcome: 'timeout', status: null, location: null, date: null, server: null, ms: 1500, error: 'no response within 1500 ms' })],
    pmtu: async () => [],
  });
  await diagnose(parseTarget('http://203.0.113.10/download'), opts, timeout.deps);
  assert.equal(full(timeout.calls.pmtu).length, 1);
  const stalled = fakeDeps({
    http: async (q) => [
      observation('http.response', { url: q.url, outcome: 'response', status: 200, location: null, date: null, server: null, ms: 1500, body: { bytes: 1200, complete: false, stalled: true } }),
    ],
    pmtu: async () => [],
  });
  await diagnose(parseTarget('http://203.0.113.10/download'), opts, stalled.deps);
  assert.equal(full(stalled.calls.pmtu).length, 1);
  const fine = fakeDeps({ pmtu: async () => [] });
  await diagnose(parseTarget('http://203.0.113.10/'), opts, fine.deps);
  assert.equal(full(fine.calls.pmtu).length, 0);
});

test('an HTTP timeout that no finding explains leaves the app layer unknown with the reason, not pass', async () => {
  const { deps } = fakeDeps({
    http: async (q) => [observation('http.response', { url: q.url, outcome: 'timeout', status: null, location: null, date: null, server: null, ms: 1500, error: 'no response within 1500 ms' })],
    pmtu: async () => [],
  });
  const r = await diagnose(parseTarget('http://203.0.113.10/'), opts, deps);
  const app = r.layers.find((l) => l.layer === 'app');
  assert.equal(app?.status, 'unknown');
  assert.match(app?.reason ?? '', /no response within 1500 ms/);
});

test('the resolvers are asked while the snapshot is still being collected; a changed resolv.conf falls back to the snapshot', { timeout: 5000 }, async () => {
  let release!: () => void;
  const collected = new Promise<void>((r) => (release = r));
  const order: string[] = [];
  const { deps, calls } = fakeDeps({
    snapshot: async () => {
      await collected;
      order.push('snapshot');
      return fakeSnapshot();
    },
    nameservers: async () => ['198.51.100.53'],
    dnsQuery: async (q) => {
      order.push(`query ${q.server} ${q.qtype}`);
      if (order.length === 2) release(); // the snapshot finishes only after both early queries started
      return [dnsQueryObs(q, { answers: q.qtype === 'A' ? [{ address: '203.0.113.10', ttl: 60 }] : [] })];
    },
  });
  const r = await diagnose(parseTarget('srv.lab.test:5000'), opts, deps);
  assert.deepEqual(order.slice(0, 3), ['query 198.51.100.53 A', 'query 198.51.100.53 AAAA', 'snapshot']);
  assert.equal((calls.dnsQuery ?? []).length, 2, 'not asked twice');
  assert.equal(r.verdict, 'ok');
  // resolv.conf read early names another resolver than the snapshot: the snapshot's are asked
  const other = fakeDeps({ nameservers: async () => ['198.51.100.99'] });
  const r2 = await diagnose(parseTarget('srv.lab.test:5000'), opts, other.deps);
  const servers = (other.calls.dnsQuery as Array<{ server: string }>).map((q) => q.server);
  assert.deepEqual([...new Set(servers)].sort(), ['198.51.100.53', '198.51.100.99']);
  assert.ok(r2.observations.filter((o) => o.kind === 'dns.query').every((o) => (o.data as { server: string }).server === '198.51.100.53'));
});

test("a dual-stack target: the other family's gateway is checked too (a dead IPv4 gateway behind a working IPv6 one is NET-002)", async () => {
  const snap = fakeSnapshot();
  if (snap.links.ok) snap.links.value[1]!.addresses.push({ family: 6, address: '2001:db8:1::10', prefixlen: 64, scope: 'global' });
  const { deps, calls } = fakeDeps(
    {
      systemLookup: async (name) => [
        observation('dns.system', {
          name,
          addresses: [
            { address: '2001:db8:20::10', family: 6 },
            { address: '203.0.113.10', family: 4 },
          ],
          error: null,
          ms: 2,
        }),
      ],
      routeLookup: async (d) => [
        typeof d === 'string' && d.includes(':')
          ? route(d, { gateway: '2001:db8:1::1', src: '2001:db8:1::10', route: 'default via 2001:db8:1::1 dev eth0' })
          : route(d, { gateway: '198.51.100.99', route: 'default via 198.51.100.99 dev eth0' }),
      ],
      gateway: async (q) => [
        observation('gateway.neighbor', { gateway: q.gateway, dev: q.dev, state: q.gateway.includes(':') ? 'REACHABLE' : 'INCOMPLETE', answered: q.gateway.includes(':'), method: 'ping' }),
      ],
      tcp: async (q) => [
        observation('tcp.connect', {
          address: q.address,
          port: q.port,
          family: q.address.includes(':') ? 6 : 4,
          outcome: q.address.includes(':') ? 'open' : 'filtered',
          ms: q.address.includes(':') ? 0.8 : 1200,
        }),
      ],
    },
    snap,
  );
  const r = await diagnose(parseTarget('www.lab.test:443'), opts, deps);
  assert.deepEqual((calls.gateway as Array<{ gateway: string }>).map((g) => g.gateway).sort(), ['198.51.100.99', '2001:db8:1::1']);
  assert.equal(r.primary?.code, 'NET-002');
  assert.match(r.primary?.title ?? '', /198\.51\.100\.99/);
});

test('the listening sockets are collected only when a connect was refused, and TCP-001 sees them', async () => {
  let asked = 0;
  const listening = async () => (asked++, { ok: true as const, value: [{ proto: 'tcp' as const, local: '127.0.0.1', port: 5000, process: 'srv', pid: 7 }] });
  const { deps } = fakeDeps({ listening, snapshot: async () => fakeSnapshot({ listening: { ok: false, unavailable: 'not collected' } }) });
  const ok = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  assert.equal(ok.verdict, 'ok');
  assert.equal(asked, 0, 'a healthy walk never runs ss');
  const refused = fakeDeps({
    listening,
    snapshot: async () => fakeSnapshot({ listening: { ok: false, unavailable: 'not collected' } }),
    tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'refused', ms: 0.4 })],
  });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, refused.deps);
  assert.equal(asked, 1);
  assert.equal(r.primary?.code, 'TCP-001');
});

test('an address target probes at once, while the snapshot is collected; the result is the same as a walk that waited for it', async () => {
  const order: string[] = [];
  let releaseSnapshot!: () => void;
  const snapshotDone = new Promise<void>((r) => (releaseSnapshot = r));
  const { deps, calls } = fakeDeps({
    snapshot: () => snapshotDone.then(() => (order.push('snapshot'), fakeSnapshot())),
    routeLookup: async (dst) => (order.push('route'), [route(dst)]),
    tcp: async (q) => (order.push('tcp'), [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'open', ms: 0.8, after: { event: 'quiet', ms: q.afterMs } })]),
  });
  const p = diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, ['route', 'tcp'], 'the route and the connect before the snapshot');
  releaseSnapshot();
  const r = await p;
  const { deps: plain } = fakeDeps();
  const waited = await diagnose(parseTarget('srv.lab.test:5000'), opts, plain);
  assert.equal(r.verdict, 'ok');
  assert.deepEqual(
    r.layers.filter((l) => l.layer !== 'dns').map((l) => [l.layer, l.status]),
    waited.layers.filter((l) => l.layer !== 'dns').map((l) => [l.layer, l.status]),
  );
  assert.equal(calls.routeLookup?.length, 1);
});

test('a name target probes after the snapshot: its addresses come from DNS, which needs the resolvers first', async () => {
  const order: string[] = [];
  let releaseSnapshot!: () => void;
  const snapshotDone = new Promise<void>((r) => (releaseSnapshot = r));
  const { deps } = fakeDeps({
    snapshot: () => snapshotDone.then(() => (order.push('snapshot'), fakeSnapshot())),
    tcp: async (q) => (order.push('tcp'), [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'open', ms: 0.8 })]),
  });
  const p = diagnose(parseTarget('srv.lab.test:5000'), opts, deps);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, []);
  releaseSnapshot();
  assert.equal((await p).verdict, 'ok');
  assert.deepEqual(order.slice(0, 2), ['snapshot', 'tcp']);
});

test('a layer row’s reason carries its message id with params (JSON); the English text is that message rendered', async () => {
  const { deps } = fakeDeps({ tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'error', ms: 3, errno: 'EIO' })] });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  const rows = Object.fromEntries(r.layers.map((l) => [l.layer, l]));
  assert.deepEqual(rows.tls?.reasonMessage, { id: 'skip.notTls', params: {} });
  assert.deepEqual(rows.dns?.reasonMessage, { id: 'skip.ipLiteral', params: {} });
  assert.equal(rows.transport?.status, 'unknown');
  assert.deepEqual(rows.transport?.reasonMessage, { id: 'reason.tcpUnnamedErrno', params: { dst: '203.0.113.10:5000', outcome: 'error', errno: 'EIO' } });
  for (const row of r.layers) if (row.reasonMessage) assert.equal(t('en', row.reasonMessage.id as MessageKey, row.reasonMessage.params as Record<string, string>), row.reason);
  const zh = await diagnose(parseTarget('203.0.113.10:5000'), { ...opts, lang: 'zh' }, deps);
  assert.ok(
    zh.layers.every((l) => l.reasonMessage === undefined),
    'a zh report carries reasons as text only (the JSON is judged in English)',
  );
});

test('a reason told without a template, or several unknown checks joined, carry no message id (none is guessed from the text)', async () => {
  const { deps } = fakeDeps({
    tcp: async (q) => [
      observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'open', ms: 1 }),
      observation('check.unknown', { layer: 'transport', check: 'first check', reason: 'why one' }),
      observation('check.unknown', { layer: 'transport', check: 'second check', reason: 'why two' }),
    ],
  });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), opts, deps);
  const row = r.layers.find((l) => l.layer === 'transport')!;
  assert.equal(row.status, 'unknown');
  assert.equal(row.reason, 'first check: why one; second check: why two');
  assert.equal(row.reasonMessage, undefined, 'not {check: "first check", reason: "why one; second check: why two"}');
  const one = await diagnose(
    parseTarget('203.0.113.10:5000'),
    opts,
    fakeDeps({
      tcp: async (q) => [
        observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'open', ms: 1 }),
        observation('check.unknown', { layer: 'transport', check: 'only check', reason: 'why' }),
      ],
    }).deps,
  );
  assert.deepEqual(one.layers.find((l) => l.layer === 'transport')!.reasonMessage, { id: 'row.unknownCheck', params: { check: 'only check', reason: 'why' } });
});

test('a snapshot that fails while an address target probes rejects the diagnosis once, with its error (no unhandled rejection beside it)', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const broken = Promise.reject(new Error('collector bug'));
    const { deps } = fakeDeps({ snapshot: () => broken });
    await assert.rejects(diagnose(parseTarget('203.0.113.10:5000'), opts, deps), /collector bug/);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
