import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleProbe, ipHash, probeTimeoutSeconds, type ProbeDeps } from './probe.js';
import type { CheckResult } from './checks.js';
import type { Report } from '../model/report.js';

test('probe_ip_addr_hash is FNV-1a 32 over the address bytes (blackbox utils.go ipHash)', () => {
  // FNV-1a of the 4 bytes 127.0.0.1, computed independently
  let h = 0x811c9dc5;
  for (const b of [127, 0, 0, 1]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  assert.equal(ipHash('127.0.0.1'), h);
  let h6 = 0x811c9dc5;
  for (const b of [...new Array(15).fill(0), 1]) h6 = Math.imul(h6 ^ b, 0x01000193) >>> 0;
  assert.equal(ipHash('::1'), h6);
  assert.notEqual(ipHash('2001:db8::1'), ipHash('2001:db8::2'));
});

test('timeout: scrape timeout minus 0.5 s', () => {
  assert.equal(probeTimeoutSeconds('10'), 9.5);
  assert.equal(probeTimeoutSeconds(null), 10);
  assert.equal(probeTimeoutSeconds('junk'), 10);
});

const fail: CheckResult = { ok: false, ms: 3, at: 0, address: '127.0.0.1', reason: 'certificate not trusted: CERT_HAS_EXPIRED', signature: 'tls:CERT_HAS_EXPIRED', resolveMs: 0.1, phases: { tls: 2 } };
const okTls: CheckResult = {
  ok: true,
  ms: 3,
  at: 0,
  address: '127.0.0.1',
  reason: null,
  signature: 'ok:AB',
  resolveMs: 0.1,
  certNotAfter: Date.UTC(2034, 3, 13),
  tlsVersion: 'TLS 1.3',
  phases: { tls: 2 },
};
const report = {
  verdict: 'fault',
  primary: { code: 'TLS-001' },
  findings: [
    { code: 'TLS-001', slug: 'cert-expired', layer: 'tls', severity: 'error' },
    { code: 'TLS-008', slug: 'cert-expiring-soon', layer: 'tls', severity: 'warning' },
  ],
} as unknown as Report;

function deps(result: CheckResult, diagnosed: string[] = []): ProbeDeps {
  return {
    check: async () => result,
    configured: () => null,
    diagnose: async (t) => {
      diagnosed.push(t.input);
      return report;
    },
    lang: 'en',
  };
}

test('tls module: blackbox series on success, no fault info', async () => {
  const a = await handleProbe({ target: '127.0.0.1:8443', module: 'tls', scrapeTimeout: '5' }, deps(okTls));
  assert.equal(a.status, 200);
  assert.match(a.body, /^probe_success 1$/m);
  assert.match(a.body, /^probe_ssl_earliest_cert_expiry 2028499200$/m);
  assert.match(a.body, /^probe_tls_version_info\{version="TLS 1.3"\} 1$/m);
  assert.match(a.body, /^probe_ip_protocol 4$/m);
  assert.match(a.body, /^probe_timeout_seconds 4.5$/m);
  assert.match(a.body, /^probe_duration_seconds /m);
  assert.doesNotMatch(a.body, /netdx_fault_info/);
});

test('a failed probe carries netdx_fault_info from a diagnosis', async () => {
  const seen: string[] = [];
  const a = await handleProbe({ target: '127.0.0.1:8443', module: 'tls', scrapeTimeout: null }, deps(fail, seen));
  assert.match(a.body, /^probe_success 0$/m);
  assert.doesNotMatch(a.body, /probe_ssl_earliest_cert_expiry/);
  assert.match(a.body, /^netdx_fault_info\{code="TLS-001",slug="cert-expired",layer="tls",severity="error",primary="true"\} 1$/m);
  assert.match(a.body, /^netdx_fault_info\{code="TLS-008",.*primary="false"\} 1$/m);
  assert.deepEqual(seen, ['127.0.0.1:8443']);
});

test('http_2xx: a 3xx or 5xx is not success; status and phases are there', async () => {
  const r: CheckResult = {
    ok: true,
    ms: 3,
    at: 0,
    address: '127.0.0.1',
    reason: null,
    signature: 'ok:301:',
    resolveMs: 0,
    httpStatus: 301,
    httpContentLength: 0,
    httpVersion: '1.1',
    phases: { connect: 1, processing: 1, transfer: 0 },
  };
  const a = await handleProbe({ target: '127.0.0.1:8080', module: 'http_2xx', scrapeTimeout: null }, deps(r));
  assert.match(a.body, /^probe_success 0$/m);
  assert.match(a.body, /^probe_http_status_code 301$/m);
  assert.match(a.body, /^probe_http_version 1.1$/m);
  assert.match(a.body, /^probe_http_duration_seconds\{phase="connect"\} 0.001$/m);
  const b = await handleProbe({ target: 'http://127.0.0.1:8080/', module: 'http_2xx', scrapeTimeout: null }, deps({ ...r, httpStatus: 204 }));
  assert.match(b.body, /^probe_success 1$/m);
});

test('bad requests: 400 with blackbox-like text', async () => {
  assert.equal((await handleProbe({ target: null, module: 'tls', scrapeTimeout: null }, deps(okTls))).status, 400);
  const u = await handleProbe({ target: 'x', module: 'dns_udp', scrapeTimeout: null }, deps(okTls));
  assert.equal(u.status, 400);
  assert.match(u.body, /Unknown module "dns_udp"/);
  assert.match((await handleProbe({ target: '127.0.0.1', module: 'tcp_connect', scrapeTimeout: null }, deps(okTls))).body, /expected HOST:PORT/);
});
