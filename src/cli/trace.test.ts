import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseTraceOptions, renderTrace, traceFindings } from './trace.js';
import { NetdxError } from '../model/errors.js';
import { observation } from '../model/observation.js';
import { hop, path, routerAddr, trace } from '../rules/trace-fixtures.js';
import { available, chain } from '../native/testing-netns.js';
import { loadNative } from '../native/index.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));

test('trace options: defaults, and each bad input with its one-line message', () => {
  assert.deepEqual(parseTraceOptions({}, {}), { proto: null, port: null, count: 10, paths: 1, maxHops: 30, intervalMs: 100, json: false, lang: 'en' });
  const bad: Array<[object, string]> = [
    [{ proto: 'sctp' }, "--proto 'sctp': expected icmp, udp or tcp"],
    [{ count: '0' }, '--count 0: out of range (expected 1…100)'],
    [{ count: 'ten' }, "--count 'ten': expected a whole number 1…100"],
    [{ paths: '17' }, '--paths 17: out of range (expected 1…16)'],
    [{ maxHops: '65' }, '--max-hops 65: out of range (expected 1…64)'],
    [{ interval: '5' }, '--interval 5: out of range (expected 10…5000)'],
    [{ lang: 'fr' }, "--lang 'fr': expected en or zh"],
  ];
  for (const [raw, msg] of bad) {
    assert.throws(
      () => parseTraceOptions(raw, {}),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && e.message === msg,
      msg,
    );
  }
});

test('renderTrace: mtr columns, rate-limited hops said so, unreachable annotation, findings with their fix; zh headings', () => {
  const tr = trace(path(3, { 1: { recv: 6, rateLimited: true } })).data;
  const text = renderTrace(tr, [], 'en', 1234);
  assert.match(text, /Hop\s+Host\s+Loss%\s+Snt\s+Rcv\s+Avg\s+Best\s+Wrst\s+StDev/);
  // Measured, not called loss: Loss% is '–', the sample count is in Snt/Rcv and the note.
  assert.match(text, /1\s+198\.51\.100\.2\s+–\s+10\s+6 .*\(ICMP rate-limited: 6 of 10 answered, not loss\)/);
  assert.doesNotMatch(text, /40\.0%/);
  assert.match(text, /3\s+203\.0\.113\.10\s+0\.0%\s+10\s+10/, 'the target keeps its real loss column');
  const silent = renderTrace(trace(path(3, { 1: { recv: 0, addr: null, addrs: [], rtt: null, rateLimited: true } })).data, [], 'en', 10);
  assert.match(silent, /1\s+\?\?\?\s+–\s+10\s+0 .*no ICMP answer \(rate-limited or filtered\)/);
  assert.doesNotMatch(silent, /100\.0%/);
  assert.match(renderTrace(tr, [], 'zh', 1), /1\s+198\.51\.100\.2\s+–\s+10\s+6 .*ICMP 限速：10 个探测中 6 个有应答，非丢包/);
  assert.match(text, /Done in 1234 ms/);
  const unr = [hop(1), hop(2, { icmp: { type: 3, code: 13, from: routerAddr(2), name: 'admin-prohibited' } })];
  const obs = [trace(unr)];
  const findings = traceFindings(obs, '203.0.113.10', '203.0.113.10', 'en');
  assert.deepEqual(
    findings.map((f) => f.code),
    ['NET-010'],
  );
  const t2 = renderTrace(obs[0]!.data, findings, 'zh', 10);
  assert.match(t2, /跳\s+主机\s+丢包率/);
  assert.match(t2, /!admin-prohibited/);
  assert.match(t2, /目标没有响应/);
  assert.match(t2, /NET-010/);
});

test('traceFindings: a blackhole after hop 2 → NET-003; a clean path → none', () => {
  const dead = trace(path(5, { 3: { recv: 0 }, 4: { recv: 0 }, 5: { recv: 0 } }));
  assert.deepEqual(
    traceFindings([dead], '203.0.113.10', '203.0.113.10', 'en').map((f) => f.code),
    ['NET-003'],
  );
  assert.deepEqual(traceFindings([trace(), observation('check.unknown', { layer: 'network', check: 'x', reason: 'y' })], '203.0.113.10', '203.0.113.10', 'en'), []);
});

const skip = available() ?? (loadNative() ? false : 'raw-socket addon unavailable');

test('netdx trace --json on a 5-hop lab path: every hop, exit 0; a dead path exits 2 with NET-003', { skip }, async () => {
  const c = chain(4, 'cli');
  try {
    const runIn = (args: string[]): Promise<{ code: number; out: string }> =>
      new Promise((resolve) => {
        execFile('ip', ['netns', 'exec', c.ns('a'), process.execPath, BIN, 'trace', ...args], { timeout: 20_000 }, (err, stdout) =>
          resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: stdout }),
        );
      });
    const ok = await runIn([c.target, '--json']);
    assert.equal(ok.code, 0, ok.out);
    const j = JSON.parse(ok.out) as { schema: string; trace: { paths: Array<{ hops: Array<{ addr: string }> }> }; findings: unknown[] };
    assert.equal(j.schema, 'netdx.trace/v1');
    assert.deepEqual(
      j.trace.paths[0]!.hops.map((h) => h.addr),
      [c.hopAddr(1), c.hopAddr(2), c.hopAddr(3), c.hopAddr(4), c.target],
    );
    assert.deepEqual(j.findings, []);
    c.sh('r4', 'iptables', ['-A', 'FORWARD', '-d', c.target, '-j', 'DROP']);
    const dead = await runIn([`${c.target}:443`, '--count', '3', '--json']);
    assert.equal(dead.code, 2);
    const jd = JSON.parse(dead.out) as { trace: { proto: string }; findings: Array<{ code: string; title: string }> };
    assert.equal(jd.trace.proto, 'tcp', 'a target with a port is traced with TCP SYNs to that port');
    assert.deepEqual(
      jd.findings.map((f) => f.code),
      ['NET-003'],
    );
    assert.match(jd.findings[0]!.title, new RegExp(`beyond hop 4 \\(${c.hopAddr(4).replace(/\./g, '\\.')}\\)`));
  } finally {
    c.destroy();
  }
});

test('without CAP_NET_RAW: the system traceroute/tracepath, and the JSON says what was skipped', { skip: process.getuid?.() !== 0 ? 'needs root to drop privileges' : false }, async () => {
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', process.execPath, BIN, 'trace', '127.0.0.1', '--json'],
      { timeout: 20_000 },
      (err, stdout) => resolve({ code: err ? Number((err as { code?: number | string }).code) : 0, out: stdout }),
    );
  });
  if (Number.isNaN(r.code)) return; // setpriv absent
  const j = JSON.parse(r.out) as { trace: { method: string; skipped: string[]; proto: string; reached: boolean } };
  assert.ok(['traceroute', 'tracepath', 'unavailable'].includes(j.trace.method));
  assert.equal(j.trace.proto, 'udp');
  assert.match(j.trace.skipped.join('\n'), /raw sockets need root or CAP_NET_RAW/);
  if (j.trace.method !== 'unavailable') {
    assert.equal(r.code, 0);
    assert.equal(j.trace.reached, true);
  }
});
