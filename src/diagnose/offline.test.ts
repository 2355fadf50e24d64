/**
 * Offline judgement of the tunnel layer (`netdx analyze`): the tunnel that should carry the target,
 * its recorded state and the handshake the snapshot shows, judged by the VPN rules without a packet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofKind, type Observation } from '../model/observation.js';
import { parseTarget } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';
import type { TunnelPeer, TunnelState } from '../model/tunnel.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { fakeSnapshot } from './testing.js';
import { analyzeSnapshot } from './offline.js';
import { renderText } from '../report/text.js';
import { ReportSchema } from '../model/report.js';

const TAKEN = '2026-11-26T00:00:00.000Z';
const takenSec = Date.parse(TAKEN) / 1000;
/** The analysis runs a day after the snapshot was taken: ages count from the snapshot. */
const LATER = new Date(Date.parse(TAKEN) + 86_400_000);
const SERVER = 'CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=';

const peer = (over: Partial<TunnelPeer> = {}): TunnelPeer => ({
  publicKey: SERVER,
  name: null,
  endpoint: { host: '203.0.113.10', port: 51820, proto: 'udp' },
  allowedIps: ['100.96.0.0/24'],
  latestHandshake: takenSec - 30,
  rxBytes: 716,
  txBytes: 1956,
  keepaliveSec: 25,
  ...over,
});
const wg = (over: Partial<TunnelState> = {}): TunnelState => ({
  kind: 'wireguard',
  dev: 'wg0',
  source: 'running',
  link: { up: true, carrier: true, mtu: 1420, kind: 'wireguard', addresses: ['100.96.0.2/24'] },
  mtu: null,
  listenPort: 33102,
  peers: [peer()],
  networks: ['100.96.0.0/24'],
  service: 'wg-quick@wg0',
  problems: [],
  ...over,
});

/** The fake client with wg0 and, unless `routed` is false, its route 100.96.0.0/24 dev wg0. */
function snap(t: TunnelState, routed = true): Snapshot {
  const s = fakeSnapshot();
  const links = s.links.ok ? s.links.value : [];
  const routes = s.routes.ok ? s.routes.value : [];
  return {
    ...s,
    collectedAt: TAKEN,
    links: {
      ok: true,
      value: [
        ...links,
        {
          name: 'wg0',
          index: 5,
          up: t.link?.up ?? false,
          carrier: t.link?.up ?? false,
          operstate: 'UNKNOWN',
          mtu: 1420,
          kind: 'wireguard',
          loopback: false,
          mac: null,
          master: null,
          addresses: [{ family: 4, address: '100.96.0.2', prefixlen: 24, scope: 'global' }],
        },
      ],
    },
    routes: {
      ok: true,
      value:
        routed && t.link?.up
          ? [
              ...routes,
              {
                family: 4,
                table: 'main',
                type: 'unicast',
                dst: '100.96.0.0/24',
                gateway: null,
                dev: 'wg0',
                src: '100.96.0.2',
                metric: null,
                protocol: 'kernel',
                scope: 'link',
                nexthops: [],
                text: '100.96.0.0/24 dev wg0 proto kernel scope link src 100.96.0.2',
              },
            ]
          : routes,
    },
    tunnels: { ok: true, value: [t] },
  };
}

const analyze = (s: Snapshot, target = '100.96.0.1:8443') => analyzeSnapshot(s, parseTarget(target), { ...DEFAULT_OPTIONS }, LATER);
const tunnelRow = (r: Awaited<ReturnType<typeof analyze>>) => r.layers.find((l) => l.layer === 'tunnel')!;

test('analyze: a working WireGuard session when the snapshot was taken is no finding; the layer says what was not probed', async () => {
  const r = await analyze(snap(wg()));
  assert.equal(r.verdict, 'ok', JSON.stringify(r.findings.map((f) => f.code)));
  const h = ofKind(r.observations as Observation[], 'tunnel.handshake')[0]?.data;
  assert.equal(h?.method, 'wg-snapshot');
  assert.equal(h?.outcome, 'fresh');
  assert.equal(h?.ageSec, 30, 'counted from the snapshot, not from the analysis a day later');
  assert.equal(tunnelRow(r).status, 'skip');
  assert.match(tunnelRow(r).reason ?? '', /not probed/);
  // the report says what it judged: a snapshot of that host, taken then
  assert.deepEqual(r.snapshot, { hostname: 'client', collectedAt: TAKEN });
  const text = renderText(r, { lang: 'en', color: false });
  assert.match(text, /^netdx analyze 100\.96\.0\.1:8443 +\(tls\)\nsnapshot of client taken 2026-11-26T00:00:00\.000Z\n/);
  assert.deepEqual(ReportSchema.parse(r).snapshot, r.snapshot);
});

test('analyze: the tunnel interface down in the snapshot → VPN-001 with the fix', async () => {
  const r = await analyze(snap(wg({ link: { up: false, carrier: false, mtu: 1420, kind: 'wireguard', addresses: ['100.96.0.2/24'] } })));
  assert.equal(r.primary?.code, 'VPN-001');
  assert.ok(r.primary?.fix.some((f) => f.command === 'ip link set wg0 up'));
  assert.equal(tunnelRow(r).status, 'fail');
});

test('analyze: bytes sent to the endpoint, none received, never a handshake → VPN-003 from the recorded counters', async () => {
  const r = await analyze(snap(wg({ peers: [peer({ latestHandshake: null, rxBytes: 0, txBytes: 2960 })] })));
  assert.equal(r.primary?.code, 'VPN-003');
  const ev = r.primary!.evidence.map((e) => e.summary).join('\n');
  assert.match(ev, /2960 bytes had been sent to 203\.0\.113\.10:51820\/udp, none received/);
  assert.doesNotMatch(ev, /while netdx watched/);
  // nothing was probed: the explanation must not claim the endpoint answered or stayed silent
  assert.match(r.primary!.explanation, /When the snapshot was taken, 2960 bytes had gone out through wg0/);
  assert.doesNotMatch(r.primary!.explanation, /endpoint (host )?(is reachable|answers)/);
});

test('analyze: an old handshake is not a fault offline (a live diagnosis must say whether a new one completes)', async () => {
  const r = await analyze(snap(wg({ peers: [peer({ latestHandshake: takenSec - 3600, rxBytes: 5000, txBytes: 9000 })] })));
  assert.equal(r.findings.filter((f) => f.layer === 'tunnel').length, 0);
  const h = ofKind(r.observations as Observation[], 'tunnel.handshake')[0]?.data;
  assert.equal(h?.outcome, 'unknown');
  assert.match(h?.reason ?? '', /3600 s old.*live diagnosis/);
});

test('analyze: the target inside the tunnel network but routed out of eth0 → VPN-005 naming the route to add', async () => {
  const r = await analyze(snap(wg(), false));
  assert.equal(r.primary?.code, 'VPN-005');
  assert.ok(
    r.primary?.fix.some((f) => /ip route add 100\.96\.0\.0\/24 dev wg0/.test(f.command ?? '')),
    JSON.stringify(r.primary?.fix),
  );
});

test('analyze: no tunnel carries the target → the layer is skipped saying so', async () => {
  const r = await analyze(snap(wg()), '198.51.100.7:443');
  assert.equal(ofKind(r.observations as Observation[], 'tunnel.state').length, 0);
  assert.equal(tunnelRow(r).status, 'skip');
  assert.doesNotMatch(tunnelRow(r).reason ?? '', /not probed/);
});

test('analyze: an OpenVPN client whose management state is RECONNECTING → VPN-003 from the state alone', async () => {
  const t: TunnelState = {
    kind: 'openvpn',
    dev: 'tun0',
    source: 'running',
    link: { up: true, carrier: true, mtu: 1500, kind: 'tun', addresses: ['100.96.0.2/24'] },
    mtu: 1500,
    listenPort: null,
    peers: [peer({ publicKey: null, name: 'server', endpoint: { host: '203.0.113.10', port: 1194, proto: 'udp' }, keepaliveSec: 10 })],
    networks: ['100.96.0.0/24'],
    service: null,
    problems: [],
    openvpn: {
      mode: 'client',
      pid: 4242,
      configFile: '/etc/openvpn/client/office.conf',
      remotes: [{ host: '203.0.113.10', port: 1194, proto: 'udp' }],
      activeRemote: { host: '203.0.113.10', port: 1194, proto: 'udp' },
      devType: 'tun',
      cipher: 'AES-256-GCM',
      auth: null,
      tlsAuth: false,
      compress: false,
      state: 'RECONNECTING',
      stateDetail: 'ping-restart',
      stateSince: takenSec - 100,
      linkReadBytes: 0,
      linkWriteBytes: 2072,
      statusFile: null,
      management: 'tcp 127.0.0.1 7505',
      routes: [],
      pingSec: 10,
      pingRestartSec: 60,
    },
  };
  const s = snap({ ...t, dev: 'wg0' });
  const r = await analyze(s);
  assert.equal(r.primary?.code, 'VPN-003');
  assert.match(r.primary?.title ?? '', /not connected \(RECONNECTING, ping-restart\)/);
});

test('analyze: the gateway recorded FAILED in the neighbour table → NET-002; STALE or no entry says nothing', async () => {
  const withNeigh = (state: string): Snapshot => ({
    ...fakeSnapshot(),
    neighbors: { ok: true, value: [{ family: 4, address: '198.51.100.1', dev: 'eth0', lladdr: null, state: [state], router: false }] },
  });
  const failed = await analyzeSnapshot(withNeigh('FAILED'), parseTarget('203.0.113.10:443'), { ...DEFAULT_OPTIONS }, LATER);
  assert.equal(failed.primary?.code, 'NET-002');
  assert.match(failed.primary!.evidence.map((e) => e.summary).join('\n'), /198\.51\.100\.1 dev eth0: neighbor state FAILED.*recorded in the snapshot/);
  for (const state of ['STALE', 'REACHABLE']) {
    const r = await analyzeSnapshot(withNeigh(state), parseTarget('203.0.113.10:443'), { ...DEFAULT_OPTIONS }, LATER);
    assert.equal(r.verdict, 'ok', `${state}: ${r.findings.map((f) => f.code).join(',')}`);
  }
});

test('analyze: the client’s own firewall drops the tunnel’s UDP to its endpoint → NET-006 naming the rule, explaining VPN-003', async () => {
  const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -m udp --dport 51820 -j DROP\nCOMMIT\n';
  const base = snap(wg({ peers: [peer({ latestHandshake: null, rxBytes: 0, txBytes: 1184 })] }));
  const s: Snapshot = {
    ...base,
    firewall: { iptables: { ok: true, value: rules }, ip6tables: { ok: true, value: '' }, nft: { ok: true, value: { nftables: [] } }, ufw: { ok: false, unavailable: 'ufw not installed' } },
  };
  const r = await analyze(s);
  assert.equal(r.primary?.code, 'NET-006', JSON.stringify(r.findings.map((f) => f.code)));
  assert.match(r.primary!.title, /udp 198\.51\.100\.10 → 203\.0\.113\.10:51820/);
  assert.deepEqual(
    r.primary!.fix.map((f) => f.command),
    ['iptables -t filter -D OUTPUT 1'],
  );
  assert.equal(r.findings.find((f) => f.code === 'VPN-003')?.explainedBy, 'NET-006');
  // the endpoint's route is judged too (the evidence names the flow's source from it)
  assert.ok(ofKind(r.observations as Observation[], 'route.lookup').some((o) => o.data.destination === '203.0.113.10' && o.data.dev === 'eth0'));
});

test('analyze on a snapshot file with a damaged tunnel part: a clear input error or a report, never a crash (property)', async () => {
  const { default: fc } = await import('fast-check');
  const { parseSnapshot } = await import('../analyze/snapshot-file.js');
  const { NetdxError } = await import('../model/errors.js');
  const good = snap(wg({ fwmark: 51820 }));
  const stateKeys = Object.keys(wg()) as Array<keyof TunnelState>;
  const peerKeys = Object.keys(peer()) as Array<keyof TunnelPeer>;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...stateKeys), fc.constantFrom(...peerKeys), fc.boolean(), fc.anything(), async (k, pk, inPeer, value) => {
      const doc = JSON.parse(JSON.stringify(good)) as { tunnels: { value: Array<Record<string, unknown> & { peers: Array<Record<string, unknown>> }> } };
      const t = doc.tunnels.value[0]!;
      if (inPeer) t.peers[0]![pk] = value;
      else (t as Record<string, unknown>)[k] = value;
      let s: Snapshot;
      try {
        s = parseSnapshot(JSON.stringify(doc), 'snap.json');
      } catch (err) {
        assert.ok(err instanceof NetdxError, String(err));
        assert.match(err.message, /^snap\.json: not a valid snapshot: tunnels\./);
        return;
      }
      const r = await analyzeSnapshot(s, parseTarget('100.96.0.1:8443'), { ...DEFAULT_OPTIONS }, LATER);
      assert.ok(['ok', 'degraded', 'fault'].includes(r.verdict));
    }),
    { numRuns: 300 },
  );
});

test('analyze: a firewall rule netdx cannot evaluate before a DROP policy leaves the network layer unknown, naming the rule — never OK', async () => {
  const s = fakeSnapshot();
  const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT\nCOMMIT\n';
  const snapshot: Snapshot = { ...s, firewall: { ...s.firewall, iptables: { ok: true, value: rules }, ip6tables: { ok: true, value: '' } } };
  const r = await analyzeSnapshot(snapshot, parseTarget('203.0.113.10:443'), DEFAULT_OPTIONS, LATER);
  const v = ofKind(r.observations as Observation[], 'firewall.verdict')[0];
  assert.equal(v?.data.verdict, 'UNKNOWN');
  const net = r.layers.find((l) => l.layer === 'network');
  assert.equal(net?.status, 'unknown');
  assert.match(
    net?.reason ?? '',
    /firewall evaluation: the local firewall's verdict for TCP to 203\.0\.113\.10:443 cannot be decided: .*rule 1: line 5: depends on the sending process \(uid\/gid\).*/,
  );
  assert.match(net?.reason ?? '', /uid-owner 1000/, 'the undecidable rule itself is named');
  assert.notEqual(r.verdict, 'fault', 'not a fault either: what cannot be decided is not reported as one');
  assert.equal(r.verdict, 'unknown', 'could not diagnose (exit 3), not ok');
  // The same ruleset without the undecidable rule is decided (DROP: NET-006), and with ACCEPT it passes.
  const drop: Snapshot = { ...snapshot, firewall: { ...snapshot.firewall, iptables: { ok: true, value: rules.replace(/-A OUTPUT -m owner.*\n/, '') } } };
  assert.equal((await analyzeSnapshot(drop, parseTarget('203.0.113.10:443'), DEFAULT_OPTIONS, LATER)).primary?.code, 'NET-006');
  const open: Snapshot = { ...snapshot, firewall: { ...snapshot.firewall, iptables: { ok: true, value: rules.replace(':OUTPUT DROP', ':OUTPUT ACCEPT') } } };
  assert.equal((await analyzeSnapshot(open, parseTarget('203.0.113.10:443'), DEFAULT_OPTIONS, LATER)).layers.find((l) => l.layer === 'network')?.status, 'pass');
});
