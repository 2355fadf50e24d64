/**
 * The engine speaks zh: with --lang zh, the reason of every layer row (a skipped layer, a check that
 * could not be made, a failure no finding names) and every "not checked" line of the text report
 * holds no English prose (englishProse in ../rules/zh-fixtures.ts; text netdx quotes verbatim from
 * a probe or the kernel is data). The English reasons stay as they were (other tests assert them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from './engine.js';
import { analyzeSnapshot } from './offline.js';
import { fakeDeps, fakeSnapshot, handshakeObs, route, unreachableDnsQuery } from './testing.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';
import type { Report } from '../model/report.js';
import { renderText } from '../report/text.js';
import { renderMarkdown } from '../report/markdown.js';
import { englishProse } from '../rules/zh-fixtures.js';

const zh = { ...DEFAULT_OPTIONS, lang: 'zh' as const };

/** Every text of a zh report a reader sees that the engine (not a rule) wrote, labelled. */
function engineTexts(r: Report): Array<[string, string]> {
  const out: Array<[string, string]> = r.layers.flatMap((l): Array<[string, string]> => (l.reason === undefined ? [] : [[`layer ${l.layer} (${l.status})`, l.reason]]));
  const text = renderText(r, { lang: 'zh', color: false });
  const at = text.indexOf('未检查:');
  if (at >= 0)
    for (const line of text.slice(at).split('\n').slice(1)) {
      if (!line.startsWith('  ')) break;
      out.push(['not checked', line.trim()]);
    }
  return out;
}

function assertSpeaksZh(r: Report, what: string): void {
  const bad = engineTexts(r).flatMap(([where, s]) => (englishProse(s).length > 0 ? [`${where}: ${JSON.stringify(s)} — English: ${englishProse(s).join(' | ')}`] : []));
  assert.deepEqual(bad, [], `${what}: English prose in zh text:\n${bad.join('\n')}`);
}

const noRoute = async (dst: string | { destination: string }) => [route(dst, { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, error: 'Network is unreachable' })];
const handshake = handshakeObs;

const LIVE: Array<[string, string, Parameters<typeof fakeDeps>[0]]> = [
  ['healthy TCP', 'srv.lab.test:5000', {}],
  ['bare host (no port)', '203.0.113.10', {}],
  ['https, healthy', 'https://srv.lab.test/', {}],
  ['no route', '203.0.113.10:443', { routeLookup: noRoute }],
  [
    'dead resolvers',
    'srv.lab.test:443',
    {
      systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'EAI_AGAIN', ms: 800 })],
      dnsQuery: unreachableDnsQuery,
      routeLookup: noRoute,
    },
  ],
  ['a name no rule explains', 'srv.lab.test:443', { systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'EAI_FAIL', ms: 3 })] }],
  [
    'a probe throws',
    '203.0.113.10',
    {
      icmp: async () => {
        throw new Error('boom');
      },
    },
  ],
  [
    'ICMP unavailable',
    '203.0.113.10',
    {
      icmp: async (q) => [
        observation('icmp.echo', { address: q.address, method: 'unavailable', sent: 0, received: 0, lossPct: 0, rtt: null, errors: [], reason: 'no raw socket and no ping' }),
        observation('check.unknown', { layer: 'network', check: 'icmp echo', reason: 'no raw socket and no ping' }),
      ],
    },
  ],
  ['no echo reply, no finding', '203.0.113.10', { icmp: async (q) => [observation('icmp.echo', { address: q.address, method: 'raw', sent: 4, received: 0, lossPct: 100, rtt: null, errors: [] })] }],
  ['TCP error no finding names', '203.0.113.10:443', { tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'error', ms: 2, errno: 'EIO' })] }],
  [
    'HTTP timeout',
    'http://203.0.113.10/',
    {
      http: async (q) => [observation('http.response', { url: q.url, outcome: 'timeout', status: null, location: null, date: null, server: null, ms: 1500, error: 'no response within 1500 ms' })],
      pmtu: async () => [],
    },
  ],
  [
    'HTTP body stalled',
    'http://203.0.113.10/',
    {
      http: async (q) => [
        observation('http.response', {
          url: q.url,
          outcome: 'response',
          status: 200,
          location: null,
          date: null,
          server: 'lab',
          ms: 30,
          body: { bytes: 1200, length: 50000, stalled: true, text: null },
        } as never),
      ],
      pmtu: async () => [],
    },
  ],
  [
    'no raw sockets: the trace and the flow spread fall back (not checked)',
    '203.0.113.10:443',
    {
      tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'filtered', ms: 3000 })],
      spread: async (q) => [
        observation('tcp.spread', { address: q.address, port: q.port, method: 'unavailable', flows: [], answered: 0, lost: 0, reason: 'raw sockets: raw sockets need root or CAP_NET_RAW' } as never),
      ],
      trace: async (q) => [
        observation('trace.path', {
          target: q.address,
          proto: 'udp',
          port: null,
          method: 'unavailable',
          skipped: [
            'raw probes: raw sockets need root or CAP_NET_RAW',
            'TCP probes need raw sockets: traced with UDP instead',
            'parallel rounds and per-hop loss statistics (the system tool sends a few probes per hop)',
            '--paths (flow variation needs raw sockets)',
          ],
          count: 3,
          reached: false,
          paths: [],
          reason: 'raw sockets need root or CAP_NET_RAW; neither traceroute nor tracepath is installed',
        } as never),
        observation('check.unknown', { layer: 'network', check: 'path trace', reason: 'raw sockets need root or CAP_NET_RAW; neither traceroute nor tracepath is installed' }),
      ],
      icmp: async (q) => [
        observation('icmp.echo', { address: q.address, method: 'unavailable', sent: 0, received: 0, lossPct: 0, rtt: null, errors: [], reason: 'spawn ping ENOENT; no raw-socket module either' }),
        observation('check.unknown', { layer: 'network', check: 'icmp echo', reason: 'spawn ping ENOENT; no raw-socket module either' }),
      ],
    },
  ],
  [
    'the refusal source cannot be told',
    '203.0.113.10:443',
    {
      tcp: async (q) => [
        observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'refused', ms: 1, errno: 'ECONNREFUSED' }),
        observation('check.unknown', {
          layer: 'transport',
          check: 'tcp refusal source',
          reason:
            'ECONNREFUSED is a RST (nothing listens) or an ICMP port-unreachable (a firewall REJECT); the ICMP counters are unreadable and the raw-network module is not available, so the probe cannot tell which',
        }),
      ],
    },
  ],
  ['TLS closed after the ClientHello', 'https://srv.lab.test/', { tls: async (q) => [handshake(q, { outcome: 'closed', protocol: null, errorCode: 'ECONNRESET' })] }],
  ['TLS reset after the ClientHello', 'https://srv.lab.test/', { tls: async (q) => [handshake(q, { outcome: 'reset', protocol: null, errorCode: 'ECONNRESET' })] }],
  [
    'TLS error no rule knows',
    'https://srv.lab.test/',
    { tls: async (q) => [handshake(q, { outcome: 'error', protocol: null, errorCode: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE', error: 'excessive message size' })] },
  ],
  [
    'a client certificate asked for, none offered, HTTP not settled',
    'tls://srv.lab.test:8443',
    {
      tls: async (q) => [handshake(q, { clientCertRequested: true })],
      http: async (q) => [observation('http.response', { url: q.url, outcome: 'timeout', status: null, location: null, date: null, server: null, ms: 1500, error: 'no response within 1500 ms' })],
    },
  ],
];

for (const [what, target, over] of LIVE) {
  test(`zh engine texts (live, fake probes): ${what}`, async () => {
    const { deps } = fakeDeps(over);
    const r = await diagnose(parseTarget(target), zh, deps);
    assert.equal(r.lang, 'zh');
    assertSpeaksZh(r, what);
    assert.match(renderMarkdown(r, 'zh'), /\| 层 \| 状态 \| 毫秒 \| 说明 \|/);
  });
}

test('zh engine texts (offline analyze): an IP literal and a name', async () => {
  for (const t of ['203.0.113.10:443', 'srv.lab.test:443', 'https://srv.lab.test/']) assertSpeaksZh(await analyzeSnapshot(fakeSnapshot(), parseTarget(t), zh), `analyze ${t}`);
});

test('the check is not blind: an English layer reason fails it', async () => {
  const { deps } = fakeDeps();
  const r = await diagnose(parseTarget('203.0.113.10'), zh, deps);
  const english = { ...r, layers: r.layers.map((l) => (l.layer === 'network' ? { ...l, status: 'unknown' as const, reason: 'icmp echo: no raw socket and no ping' } : l)) };
  assert.throws(() => assertSpeaksZh(english, 'self-check'), /no raw socket and no ping/);
});
