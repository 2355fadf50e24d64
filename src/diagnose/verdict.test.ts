import { test } from 'node:test';
import assert from 'node:assert/strict';
import { undeterminedLayers, verdictOf } from './verdict.js';
import { diagnose } from './engine.js';
import { analyzeSnapshot } from './offline.js';
import { fakeDeps, fakeSnapshot } from './testing.js';
import { DEFAULT_OPTIONS } from './options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';
import { ReportSchema, contractViolations, type Finding, type LayerRow } from '../model/report.js';
import { exitCodeOf } from '../cli/diagnose.js';
import { renderText } from '../report/text.js';
import { renderMarkdown } from '../report/markdown.js';

const row = (layer: LayerRow['layer'], status: LayerRow['status'], reason?: string): LayerRow => ({ layer, status, ms: 0, ...(reason ? { reason } : {}) });
const finding = (severity: Finding['severity']): Finding => ({ code: 'TLS-008', slug: 'x', layer: 'tls', severity, title: 't', explanation: 'e', evidence: [], fix: [] });

test('verdictOf: an unknown layer with nothing working above it is unknown, with the reason', () => {
  const layers = [row('dns', 'pass'), row('network', 'pass'), row('transport', 'pass'), row('tls', 'unknown', 'TLS handshake error: ERR_SSL_X'), row('app', 'skip')];
  assert.deepEqual(verdictOf([], layers), { verdict: 'unknown', undetermined: [{ layer: 'tls', reason: 'TLS handshake error: ERR_SSL_X' }] });
  // warnings do not hide it
  assert.equal(verdictOf([finding('warning')], layers).verdict, 'unknown');
  // an error finding does
  assert.deepEqual(verdictOf([finding('error')], layers), { verdict: 'fault' });
});

test('verdictOf: an unknown sub-check under a layer that worked does not make the target unknown', () => {
  const layers = [row('host', 'unknown', 'no privilege'), row('network', 'unknown', 'icmp: not permitted'), row('transport', 'pass'), row('tls', 'pass')];
  assert.deepEqual(undeterminedLayers(layers), []);
  assert.deepEqual(verdictOf([], layers), { verdict: 'ok' });
  assert.deepEqual(verdictOf([finding('warning')], layers), { verdict: 'degraded' });
});

test('verdictOf: offline, a network layer that could not be judged (firewall) is unknown, exit 3', () => {
  const layers = [
    row('host', 'pass'),
    row('dns', 'skip'),
    row('network', 'unknown', 'firewall evaluation: nft unreadable'),
    row('tunnel', 'skip'),
    row('transport', 'skip'),
    row('tls', 'skip'),
    row('app', 'skip'),
  ];
  const v = verdictOf([], layers);
  assert.equal(v.verdict, 'unknown');
  assert.equal(v.undetermined?.[0]?.layer, 'network');
});

const opts = { ...DEFAULT_OPTIONS };

test('diagnose: a TLS handshake that failed for a reason no code names is unknown (exit 3), never ok', async () => {
  const { deps: base } = fakeDeps();
  const { deps } = fakeDeps({
    tls: async (q, c) => {
      const [o] = await base.tls(q, c);
      const d = (o as { data: Record<string, unknown> }).data;
      Object.assign(d, { outcome: 'error', protocol: null, errorCode: 'ERR_SSL_INTERNAL_ERROR', error: 'internal error', verify: { ok: false, code: null, hostnameOk: null, trustedBy: 'system' } });
      return [o!];
    },
  });
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  ReportSchema.parse(r);
  assert.deepEqual(contractViolations(r), []);
  assert.equal(r.verdict, 'unknown');
  assert.equal(r.primary, null);
  assert.equal(exitCodeOf(r), 3);
  assert.match(r.undetermined?.[0]?.reason ?? '', /ERR_SSL_INTERNAL_ERROR/);
  assert.match(renderText(r, { lang: 'en', color: false }), /UNKNOWN[\s\S]*Could not judge the target[\s\S]*ERR_SSL_INTERNAL_ERROR/);
  assert.doesNotMatch(renderText(r, { lang: 'en', color: false }), /No problem found/);
  assert.match(renderText(r, { lang: 'zh', color: false }), /无法判定/);
  assert.match(renderMarkdown(r, 'en'), /Could not judge the target/);
});

test('diagnose: a connect that failed with no finding naming it is unknown, not transport pass', async () => {
  const { deps } = fakeDeps({
    tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'error', ms: 1, errno: 'EINVAL' })],
  });
  const r = await diagnose(parseTarget('srv.lab.test:5000'), opts, deps);
  assert.deepEqual(contractViolations(r), []);
  assert.equal(r.layers.find((l) => l.layer === 'transport')?.status, 'unknown');
  assert.equal(r.verdict, 'unknown');
  assert.match(r.undetermined?.[0]?.reason ?? '', /EINVAL/);
});

test('diagnose: a name that did not resolve with no finding naming it is unknown', async () => {
  const { deps } = fakeDeps({
    systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'EAI_WEIRD', ms: 2 })],
    dnsQuery: async (q) => [
      observation('dns.query', { server: q.server, port: 53, name: q.name, qtype: q.qtype, transport: 'udp', outcome: 'answer', rcode: 'NOERROR', answers: [], cnames: [], truncated: false, ms: 1.5 }),
    ],
  });
  const r = await diagnose(parseTarget('srv.lab.test:5000'), opts, deps);
  assert.deepEqual(contractViolations(r), []);
  if (r.primary === null) {
    assert.equal(r.verdict, 'unknown');
    assert.match(r.undetermined?.[0]?.reason ?? '', /EAI_WEIRD/);
  }
});

test('diagnose: the healthy fakes stay ok (exit 0)', async () => {
  const { deps } = fakeDeps();
  const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
  assert.equal(r.verdict, 'ok');
  assert.equal(r.undetermined, undefined);
  assert.equal(exitCodeOf(r), 0);
});

test('analyze uses the same verdict: a healthy snapshot is ok', async () => {
  const r = await analyzeSnapshot(fakeSnapshot(), parseTarget('203.0.113.10:443'), opts);
  assert.deepEqual(contractViolations(r), []);
  assert.equal(r.verdict, 'ok');
});

for (const outcome of ['closed', 'reset'] as const) {
  test(`diagnose: a peer that ${outcome === 'closed' ? 'half-closes (FIN)' : 'resets'} after the ClientHello is TCP-004, and the tls row does not say pass`, async () => {
    const { deps: base } = fakeDeps();
    const { deps } = fakeDeps({
      tls: async (q, c) => {
        const [o] = await base.tls(q, c);
        Object.assign((o as { data: Record<string, unknown> }).data, {
          outcome,
          protocol: null,
          errorCode: 'ECONNRESET',
          error: 'Client network socket disconnected before secure TLS connection was established',
          verify: { ok: false, code: null, hostnameOk: null, trustedBy: 'system' },
        });
        return [o!];
      },
      tlsVersions: async (q) => [observation('tls.versions', { address: q.address, port: q.port, accepted: [], rejected: ['TLSv1.2', 'TLSv1.3'], clientRange: { min: q.min, max: q.max } })],
    });
    const r = await diagnose(parseTarget('srv.lab.test:443'), opts, deps);
    assert.deepEqual(contractViolations(r), []);
    assert.equal(r.primary?.code, 'TCP-004');
    const tlsRow = r.layers.find((l) => l.layer === 'tls');
    assert.equal(tlsRow?.status, 'unknown');
    if (outcome === 'closed') {
      assert.match(tlsRow?.reason ?? '', /closed the connection \(FIN\)/);
      assert.doesNotMatch(tlsRow?.reason ?? '', /reset/i);
      assert.doesNotMatch(r.primary?.evidence.map((e) => e.summary).join(' ') ?? '', /reset|ECONNRESET/i);
    } else assert.match(tlsRow?.reason ?? '', /reset \(RST\)/);
  });
}

test('diagnose: a heartbeat that could not be sent at all is unknown, not app pass', async () => {
  const { deps } = fakeDeps({
    heartbeat: async (q) => [
      observation('app.heartbeat', {
        address: q.address,
        port: q.port,
        tls: false,
        send: 'PING',
        expect: 'PONG',
        everySec: 1,
        beats: [],
        answered: 0,
        sent: 0,
        intervalSec: null,
        peerClosed: null,
        error: 'connect ECONNRESET',
        ms: 3,
      }),
    ],
  });
  const r = await diagnose(parseTarget('srv.lab.test:7000'), { ...opts, heartbeat: { send: 'PING', expect: 'PONG', everySec: 1, count: 1, replySec: 1 } as never }, deps);
  assert.deepEqual(contractViolations(r), []);
  assert.equal(r.layers.find((l) => l.layer === 'app')?.status, 'unknown');
  assert.equal(r.verdict, 'unknown');
  assert.match(r.undetermined?.[0]?.reason ?? '', /heartbeat not sent: connect ECONNRESET/);
});
