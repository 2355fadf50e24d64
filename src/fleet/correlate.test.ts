import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlate, labelScope, type AgentInfo, type ReportInfo, type StateInfo } from './correlate.js';
import { reconcile, summaryText, timeline } from './incidents.js';
import { features } from './features.js';
import type { Report } from '../model/report.js';
import { REPORT_SCHEMA_ID } from '../model/report.js';

const T0 = Date.parse('2026-12-01T08:00:00Z');

/** The field case in miniature: regions × agents, Shanghai's routes point at the HK ISP. */
function fleet(perRegion: Record<string, number>) {
  const agents: AgentInfo[] = [];
  for (const [region, n] of Object.entries(perRegion))
    for (let i = 1; i <= n; i++) agents.push({ name: `${region}-${String(i).padStart(2, '0')}`, labels: { region, site: `${region}-${i <= n / 2 ? 'a' : 'b'}` }, online: true });
  return agents;
}

const route = (via: string) => ({ key: 'route to 203.0.113.80', kind: 'route' as const, value: `via ${via} dev wan1` });
const dns = { key: 'dns app.corp.test', kind: 'dns' as const, value: '203.0.113.80' };

function states(agents: AgentInfo[], down: (a: AgentInfo) => string | null): StateInfo[] {
  return agents.map((a) => {
    const code = down(a);
    return { agent: a.name, target: 'app', state: code ? 'down' : 'up', since: T0 + (code ? 1000 : 0), codes: code ? [code] : [] };
  });
}

function reports(agents: AgentInfo[], pick: (a: AgentInfo) => ReportInfo | null): ReportInfo[] {
  return agents.map(pick).filter((r): r is ReportInfo => r !== null);
}

test('a regional misroute is scoped to region=sh with the misrouting gateway as common evidence', () => {
  const agents = fleet({ sh: 6, bj: 6, sz: 4 });
  const sh = (a: AgentInfo): boolean => a.labels['region'] === 'sh';
  const groups = correlate({
    agents,
    states: states(agents, (a) => (sh(a) ? 'NET-004' : null)),
    reports: reports(agents, (a) =>
      sh(a)
        ? { agent: a.name, target: 'app', at: T0 + 2000, verdict: 'fault', code: 'NET-004', features: [route('10.2.0.254'), dns] }
        : a.name.endsWith('01')
          ? { agent: a.name, target: 'app', at: T0 + 3000, verdict: 'ok', code: null, features: [route('10.2.0.1'), dns] }
          : null,
    ),
    freshAfter: T0,
  });
  assert.equal(groups.length, 1);
  const g = groups[0]!;
  assert.deepEqual(g.scope, { kind: 'label', key: 'region', values: ['sh'] });
  assert.equal(g.agents.length, 6);
  assert.equal(g.located, true);
  assert.equal(g.evidence[0]!.key, 'route to 203.0.113.80');
  assert.equal(g.evidence[0]!.value, 'via 10.2.0.254 dev wan1');
  assert.equal(g.evidence[0]!.healthyValue, 'via 10.2.0.1 dev wan1');
  // The DNS answer is the same everywhere: not evidence.
  assert.ok(!g.evidence.some((e) => e.kind === 'dns'));
  const text = summaryText('app.corp.test:443', g.code, 'route-conflict', g.scope, { agents: g.agents, watchers: g.watchers, counts: g.counts }, g.evidence, 'en');
  assert.equal(
    text,
    'app.corp.test:443 — NET-004 route-conflict on 6/6 agents of region=sh (0/6 of region=bj, 0/4 of region=sz); common evidence: route to 203.0.113.80 via 10.2.0.254 dev wan1; healthy agents: via 10.2.0.1 dev wan1',
  );
  assert.match(summaryText('app', g.code, 'route-conflict', g.scope, { agents: g.agents, watchers: g.watchers, counts: g.counts }, g.evidence, 'zh'), /region=sh 的 6\/6 个代理.*共同证据/);
});

test('without a healthy report the regional incident is classified, not located, and asks a few healthy agents per region', () => {
  const agents = fleet({ sh: 4, bj: 5, sz: 5 });
  const sh = (a: AgentInfo): boolean => a.labels['region'] === 'sh';
  const [g] = correlate({
    agents,
    states: states(agents, (a) => (sh(a) ? 'NET-004' : null)),
    reports: reports(agents, (a) => (sh(a) ? { agent: a.name, target: 'app', at: T0, verdict: 'fault', code: 'NET-004', features: [route('10.2.0.254')] } : null)),
    freshAfter: T0,
    askPerValue: 2,
  });
  assert.equal(g!.located, false);
  assert.deepEqual(g!.askHealthy, ['bj-01', 'bj-02', 'sz-01', 'sz-02']);
  // The incident opens classified; the comparison is asked for once, not every pass.
  const first = reconcile([g!], [], T0 + 5000, () => 'route-conflict');
  assert.equal(first.opened.length, 1);
  assert.equal(first.located.length, 0);
  assert.equal(first.ask.length, 4);
  const again = reconcile([g!], first.save, T0 + 6000, () => 'route-conflict');
  assert.equal(again.ask.length, 0);
  assert.equal(again.opened.length, 0);
});

test('down for everyone is scoped to the target; down on one agent to that agent; recovery closes the incident', () => {
  const agents = fleet({ sh: 3, bj: 3 });
  const all = correlate({ agents, states: states(agents, () => 'TCP-001'), reports: [], freshAfter: T0 });
  assert.deepEqual(all[0]!.scope, { kind: 'target' });
  const one = correlate({ agents, states: states(agents, (a) => (a.name === 'bj-02' ? 'TLS-001' : null)), reports: [], freshAfter: T0 });
  assert.deepEqual(one[0]!.scope, { kind: 'agent', agent: 'bj-02' });
  const opened = reconcile(one, [], T0 + 10_000, () => 'cert-expired');
  const closed = reconcile([], opened.save, T0 + 70_000, () => 'cert-expired');
  assert.equal(closed.recovered.length, 1);
  const tl = timeline(closed.recovered[0]!);
  assert.equal(tl.find((s) => s.step === 'classified')!.elapsedMs, 9000);
  assert.equal(tl.find((s) => s.step === 'recovered')!.elapsedMs, 69_000);
  assert.equal(tl.find((s) => s.step === 'recovered')!.met, true);
});

test('failures scattered over regions get no label scope; offline agents do not count', () => {
  const agents = fleet({ sh: 4, bj: 4, sz: 4 });
  const scattered = correlate({ agents, states: states(agents, (a) => (['sh-01', 'bj-03', 'sz-04'].includes(a.name) ? 'NET-007' : null)), reports: [], freshAfter: T0 });
  assert.equal(scattered[0]!.scope.kind, 'agents');
  const offline = agents.map((a) => (a.labels['region'] === 'bj' ? { ...a, online: false } : a));
  const g = correlate({ agents: offline, states: states(offline, (a) => (a.labels['region'] === 'sh' ? 'NET-004' : null)), reports: [], freshAfter: T0 });
  assert.equal(g[0]!.watchers, 8);
  assert.deepEqual(g[0]!.scope, { kind: 'label', key: 'region', values: ['sh'] });
});

test('the label that explains best wins: a region over its sites, two sites when only they fail', () => {
  const counts = [
    { label: 'region', value: 'sh', affected: 6, total: 6 },
    { label: 'region', value: 'bj', affected: 0, total: 6 },
    { label: 'site', value: 'sh-a', affected: 3, total: 3 },
    { label: 'site', value: 'sh-b', affected: 3, total: 3 },
    { label: 'site', value: 'bj-a', affected: 0, total: 6 },
  ];
  assert.deepEqual(labelScope(counts, 6, 12), { key: 'region', values: ['sh'] });
  const sites = [
    { label: 'region', value: 'sh', affected: 3, total: 6 },
    { label: 'region', value: 'bj', affected: 0, total: 6 },
    { label: 'site', value: 'sh-a', affected: 3, total: 3 },
    { label: 'site', value: 'sh-b', affected: 0, total: 3 },
    { label: 'site', value: 'bj-a', affected: 0, total: 6 },
  ];
  assert.deepEqual(labelScope(sites, 3, 12), { key: 'site', values: ['sh-a'] });
});

test('features: the route, resolver answer and silent hop of a report, comparable across agents', () => {
  const obs = (kind: string, data: unknown) => ({ kind, at: '2026-12-01T08:00:00Z', ms: 1, data });
  const r: Report = {
    schema: REPORT_SCHEMA_ID,
    target: { input: 'app.corp.test:443', host: 'app.corp.test', port: 443, protocol: 'tcp' },
    startedAt: '2026-12-01T08:00:00Z',
    durationMs: 10,
    verdict: 'fault',
    primary: null,
    findings: [],
    layers: [],
    observations: [
      obs('route.lookup', { destination: '203.0.113.80', family: 4, outcome: 'route', dev: 'wan1', gateway: '10.2.0.254', src: null, table: 'main', route: null, candidates: [], rules: [] }),
      obs('dns.system', { name: 'app.corp.test', addresses: [{ address: '203.0.113.80', family: 4 }], error: null, ms: 1 }),
      obs('trace.path', {
        target: '203.0.113.80',
        proto: 'icmp',
        port: null,
        method: 'raw',
        skipped: [],
        count: 3,
        reached: false,
        paths: [
          {
            flow: 'a',
            reached: false,
            hops: [
              { ttl: 1, addr: '10.2.0.254', addrs: [], sent: 3, recv: 3, lossPct: 0, rtt: null, rateLimited: false },
              { ttl: 2, addr: null, addrs: [], sent: 3, recv: 0, lossPct: 100, rtt: null, rateLimited: false },
            ],
          },
        ],
      }),
      obs('route.lookup', { destination: '203.0.113.80', family: 4, outcome: 'route', dev: 'wan0', gateway: '10.9.9.9', src: null, table: 'main', route: null, candidates: [], rules: [] }),
    ],
  } as unknown as Report;
  assert.deepEqual(
    features(r).map((f) => `${f.key} = ${f.value}`),
    ['route to 203.0.113.80 = via 10.2.0.254 dev wan1', 'dns app.corp.test = 203.0.113.80', 'path to 203.0.113.80 = silent after hop 1 (10.2.0.254)'],
  );
});

test('healthy regions on different gateways: the summary names what each group of healthy agents saw', () => {
  const agents = fleet({ sh: 3, bj: 3, sz: 2 });
  const gw: Record<string, string> = { bj: '10.1.0.1', sz: '10.3.0.1' };
  const [g] = correlate({
    agents,
    states: states(agents, (a) => (a.labels['region'] === 'sh' ? 'NET-004' : null)),
    reports: reports(agents, (a) =>
      a.labels['region'] === 'sh'
        ? { agent: a.name, target: 'app', at: T0, verdict: 'fault', code: 'NET-004', features: [route('10.2.0.254')] }
        : { agent: a.name, target: 'app', at: T0, verdict: 'ok', code: null, features: [route(gw[a.labels['region']!]!)] },
    ),
    freshAfter: T0,
  });
  assert.deepEqual(g!.evidence[0]!.healthyValues, [
    { value: 'via 10.1.0.1 dev wan1', agents: 3 },
    { value: 'via 10.3.0.1 dev wan1', agents: 2 },
  ]);
  assert.match(
    summaryText('app', g!.code, 'route-conflict', g!.scope, { agents: g!.agents, watchers: g!.watchers, counts: g!.counts }, g!.evidence, 'en'),
    /healthy agents: via 10\.1\.0\.1 dev wan1 \(3\), via 10\.3\.0\.1 dev wan1 \(2\)$/,
  );
});
