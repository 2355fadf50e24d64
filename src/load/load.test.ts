import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { NetdxError } from '../model/errors.js';
import { LIMITS, attemptCap, parseLoadOptions, parseRate, parseSize } from './options.js';
import { percentiles } from './stats.js';
import { classify, summarizeStep, turningPoint, type Attempt } from './classify.js';
import { planSteps, runLoad } from './runner.js';
import { buildLoadReport } from './report.js';
import { renderLoad } from './render.js';
import { startResponder } from '../responder/server.js';
import { throughput } from './throughput.js';
import { closedPort } from '../probes/test-servers.js';

const usage = (f: () => unknown, re: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && re.test(e.message));
};

test('load options: defaults bounded; heavy runs need --allow-heavy; hard ceilings whatever the flags', () => {
  const o = parseLoadOptions('127.0.0.1:80', {}, 'en');
  assert.equal(o.durationMs, LIMITS.defaultDurationMs);
  assert.equal(o.connections, 10);
  assert.equal(o.rate, null);
  assert.equal(o.mode, 'tcp');
  assert.equal(parseLoadOptions('https://127.0.0.1/x', {}, 'en').mode, 'https');
  assert.equal(parseLoadOptions('127.0.0.1:8443', { http: '/h', tls: true }, 'en').mode, 'https');
  usage(() => parseLoadOptions('127.0.0.1:80', { duration: '2m' }, 'en'), /--allow-heavy/);
  assert.equal(parseLoadOptions('127.0.0.1:80', { duration: '2m', allowHeavy: true }, 'en').durationMs, 120_000);
  usage(() => parseLoadOptions('127.0.0.1:80', { duration: '11m', allowHeavy: true }, 'en'), /hard ceiling|between 100ms and 10m/);
  usage(() => parseLoadOptions('127.0.0.1:80', { rate: '5000/s' }, 'en'), /--allow-heavy/);
  usage(() => parseLoadOptions('127.0.0.1:80', { rate: '500000', allowHeavy: true }, 'en'), /hard ceiling/);
  usage(() => parseLoadOptions('127.0.0.1:80', { connections: '0' }, 'en'), /out of range/);
  usage(() => parseLoadOptions('127.0.0.1:80', { rate: 'fast' }, 'en'), /attempts per second/);
  usage(() => parseLoadOptions('127.0.0.1', {}, 'en'), /needs a port|tcp needs a port/);
  usage(() => parseLoadOptions('127.0.0.1:80', { bytes: '1M' }, 'en'), /go together/);
  usage(() => parseLoadOptions('127.0.0.1:80', { http: 'x' }, 'en'), /starting with \//);
  assert.equal(attemptCap({ rate: 100, durationMs: 10_000 }), 1001);
  assert.equal(attemptCap({ rate: null, durationMs: 10_000 }), LIMITS.maxAttempts);
  assert.equal(parseRate('6000/m'), 100);
  assert.equal(parseSize('1M', '--bytes'), 1024 ** 2);
});

test('percentiles: nearest rank; empty is null', () => {
  const p = percentiles(Array.from({ length: 100 }, (_, i) => i + 1));
  assert.deepEqual([p.p50, p.p90, p.p99, p.max], [50, 90, 99, 100]);
  assert.equal(percentiles([]).p50, null);
});

test('classify: connect/TLS/HTTP errors to fault codes; the generator’s own limits are LOCAL', () => {
  assert.equal(classify({ phase: 'connect', code: 'ECONNREFUSED' }, true), 'TCP-001');
  assert.equal(classify({ phase: 'connect', code: 'timeout' }, true), 'TCP-005');
  assert.equal(classify({ phase: 'connect', code: 'timeout' }, false), 'TCP-002');
  assert.equal(classify({ phase: 'tls', code: 'ECONNRESET' }, true), 'TCP-004');
  assert.equal(classify({ phase: 'tls', code: 'timeout' }, true), 'TLS-009');
  assert.equal(classify({ phase: 'tls', code: 'CERT_HAS_EXPIRED' }, true), 'TLS-001');
  assert.equal(classify({ phase: 'firstByte', code: 'status-503' }, true), 'APP-002');
  assert.equal(classify({ phase: 'connect', code: 'EADDRNOTAVAIL' }, true), 'LOCAL');
  assert.equal(classify({ phase: 'connect', code: 'EHOSTUNREACH' }, true), 'NET-010');
});

const ok = (step: number, connectMs = 1): Attempt => ({ step, connectMs, tlsMs: null, firstByteMs: null, totalMs: connectMs, status: null, error: null });
const bad = (step: number, code: string, phase: Attempt['error'] extends infer E ? (E extends { phase: infer P } ? P : never) : never = 'connect'): Attempt => ({
  step,
  connectMs: null,
  tlsMs: null,
  firstByteMs: null,
  totalMs: 5,
  status: null,
  error: { phase, code },
});

test('turningPoint: the first step where failures start, and the dominant cause (SYN retransmissions count as TCP-005)', () => {
  const steps = [
    summarizeStep(
      0,
      { connections: 4, offeredRate: null },
      Array.from({ length: 200 }, () => ok(0)),
      1,
      true,
    ),
    summarizeStep(1, { connections: 8, offeredRate: null }, [...Array.from({ length: 200 }, () => ok(1)), ok(1, 1003)], 1, true),
    summarizeStep(2, { connections: 12, offeredRate: null }, [...Array.from({ length: 100 }, () => ok(2)), ok(2, 1004), ok(2, 1010), ok(2, 3020), bad(2, 'ECONNRESET', 'firstByte')], 1, true),
  ];
  const tp = turningPoint(steps);
  assert.ok(tp);
  assert.equal(tp.step, 2);
  assert.equal(tp.connections, 12);
  assert.equal(tp.cause, 'TCP-005');
  assert.deepEqual(tp.counts, { 'TCP-004': 1, 'TCP-005': 3 });
  assert.equal(turningPoint(steps.slice(0, 2)), null);
});

test('planSteps: closed loop grows the connections, fixed rate grows the rate', () => {
  assert.deepEqual(
    planSteps({ connections: 20, rate: null, durationMs: 5000, steps: 5 }).map((s) => s.connections),
    [4, 8, 12, 16, 20],
  );
  assert.deepEqual(
    planSteps({ connections: 20, rate: 100, durationMs: 5000, steps: 4 }).map((s) => s.offeredRate),
    [25, 50, 75, 100],
  );
  assert.equal(planSteps({ connections: 2, rate: null, durationMs: 5000, steps: 5 }).length, 2);
});

test('runLoad on loopback: a healthy HTTP server gives no errors; a closed port gives TCP-001 as the turning point', async () => {
  const srv = http.createServer((_q, s) => s.end('ok'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const plan = planSteps({ connections: 4, rate: 200, durationMs: 600, steps: 2 });
    const out = await runLoad({ address: '127.0.0.1', port, mode: 'http', host: '127.0.0.1', path: '/', sni: null, ca: null, insecure: false, timeoutMs: 2000 }, plan, { maxAttempts: 1000 });
    const r = buildLoadReport({
      target: { input: 'x', host: '127.0.0.1', address: '127.0.0.1', port, mode: 'http', path: '/' },
      startedAt: new Date(),
      durationMs: 600,
      load: { connections: 4, rate: 200, steps: 2, timeoutMs: 2000 },
      plan,
      attempts: out.attempts,
      stepMs: out.stepMs,
      generator: out.generator,
      throughput: null,
      lang: 'en',
    });
    assert.equal(r.verdict, 'ok');
    assert.ok(r.ok > 50, String(r.ok));
    assert.equal(r.errors.length, 0);
    assert.ok(r.latencyMs.firstByte.p50 !== null);
    assert.match(renderLoad(r, 'zh'), /无拐点/);
  } finally {
    srv.close();
  }
  const closed = await closedPort();
  const plan = planSteps({ connections: 2, rate: null, durationMs: 200, steps: 1 });
  const out = await runLoad({ address: '127.0.0.1', port: closed, mode: 'tcp', host: '127.0.0.1', path: '/', sni: null, ca: null, insecure: false, timeoutMs: 1000 }, plan, { maxAttempts: 50 });
  const r = buildLoadReport({
    target: { input: 'x', host: '127.0.0.1', address: '127.0.0.1', port: closed, mode: 'tcp', path: null },
    startedAt: new Date(),
    durationMs: 200,
    load: { connections: 2, rate: null, steps: 1, timeoutMs: 1000 },
    plan,
    attempts: out.attempts,
    stepMs: out.stepMs,
    generator: out.generator,
    throughput: null,
    lang: 'en',
  });
  assert.equal(r.attempts, 50, 'the attempt cap bounds the run');
  assert.equal(r.primary?.code, 'TCP-001');
  assert.equal(r.turningPoint?.cause, 'TCP-001');
  assert.match(renderLoad(r, 'en'), /Turning point: at step 1/);
});

test('throughput against a responder on loopback: both directions, bits per second, anonymous download refused', async () => {
  const resp = await startResponder({ host: '127.0.0.1', port: 0, token: 't', tls: null });
  try {
    const a = { host: '127.0.0.1', port: resp.address.port, token: 't' };
    const up = await throughput(a, { bytes: 8 << 20, streams: 2, direction: 'upload', timeoutMs: 10_000 });
    const down = await throughput(a, { bytes: 8 << 20, streams: 2, direction: 'download', timeoutMs: 10_000 });
    assert.equal(up.bytes, 16 << 20);
    assert.equal(down.bytes, 16 << 20);
    assert.ok(up.bitsPerSecond > 1e6 && down.bitsPerSecond > 1e6);
    assert.deepEqual([...up.errors, ...down.errors], []);
    const anon = await throughput({ ...a, token: null }, { bytes: 1 << 20, streams: 1, direction: 'download', timeoutMs: 5000 });
    assert.match(anon.errors.join(), /needs-token/);
  } finally {
    await resp.close();
  }
});

test('the C engine and the JavaScript one name the same outcomes: 200, 500, closed before a status, not HTTP, silent, refused; counts capped', async () => {
  const { loadAddon } = await import('../native/addon.js');
  const kinds: Array<[string, (s: net.Socket) => void, string | null]> = [
    ['ok', (s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')), null],
    ['500', (s) => s.once('data', () => s.end('HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n')), 'status-500'],
    ['closed', (s) => s.once('data', () => s.end()), 'closed'],
    ['not-http', (s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.2 hello there\r\n')), 'not-http'],
    ['silent', () => {}, 'timeout'],
  ];
  const engines = loadAddon()?.loadStart ? ['native', 'js'] : ['js'];
  for (const engine of engines) {
    if (engine === 'js') process.env.NETDX_LOAD_JS = '1';
    try {
      for (const [name, serve, code] of kinds) {
        const held: net.Socket[] = [];
        const srv = net.createServer((s) => {
          held.push(s);
          s.on('error', () => {});
          serve(s);
        });
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
        const port = (srv.address() as net.AddressInfo).port;
        try {
          const plan = planSteps({ connections: 2, rate: null, durationMs: 300, steps: 1 });
          const out = await runLoad({ address: '127.0.0.1', port, mode: 'http', host: '127.0.0.1', path: '/', sni: null, ca: null, insecure: false, timeoutMs: 150 }, plan, { maxAttempts: 6 });
          const got = out.attempts.flat();
          assert.ok(got.length > 0 && got.length <= 6, `${engine} ${name}: ${got.length} attempts`);
          assert.deepEqual([...new Set(got.map((a) => a.error?.code ?? null))], [code], `${engine} ${name}`);
          for (const a of got) {
            assert.ok(a.connectMs !== null && a.connectMs >= 0, `${engine} ${name}: connect time`);
            if (code === null || code.startsWith('status-')) {
              assert.equal(a.status, code === null ? 200 : 500);
              assert.ok(a.firstByteMs !== null);
            }
            if (code !== null) assert.equal(a.error!.phase, 'firstByte', `${engine} ${name}`);
          }
        } finally {
          for (const s of held) s.destroy();
          srv.close();
        }
      }
      const closed = await closedPort();
      const out = await runLoad(
        { address: '127.0.0.1', port: closed, mode: 'tcp', host: '127.0.0.1', path: '/', sni: null, ca: null, insecure: false, timeoutMs: 500 },
        planSteps({ connections: 3, rate: null, durationMs: 200, steps: 1 }),
        { maxAttempts: 9 },
      );
      const got = out.attempts.flat();
      assert.equal(got.length, 9, `${engine}: the cap`);
      assert.deepEqual([...new Set(got.map((a) => `${a.error?.phase}:${a.error?.code}`))], ['connect:ECONNREFUSED'], engine);
    } finally {
      delete process.env.NETDX_LOAD_JS;
    }
  }
});
