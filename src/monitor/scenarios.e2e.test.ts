/**
 * Monitor scenarios on loopback (root-namespace safe: 127.0.0.1 only), with the lab's PKI:
 * a certificate that expires while watched (swapped mid-run) shows as TLS-001 within two
 * intervals plus the diagnosis; a target down one interval in three does not flap the state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { certPair, get, startDaemon, until } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'ndx-mon-scn-'));

test('a certificate that expires while watched appears as TLS-001 within two intervals (+ its diagnosis)', async (t) => {
  const c = await certPair(dir);
  const srv = tls.createServer({ key: c.key, cert: c.valid }, (s) => s.on('error', () => {}));
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const cfg = join(dir, 'cert.yaml');
  writeFileSync(cfg, `interval: 1s\ntargets:\n  - name: app\n    target: tls://127.0.0.1:${port}\n    sni: expired.lab.test\n    ca: ${c.ca}\n`);
  const m = await startDaemon(cfg, null);
  try {
    await until('up', async () => (/^netdx_state\{target="app"\} 1$/m.test((await get(m.base, '/metrics')).body) ? true : null));
    const before = (await get(m.base, '/metrics')).body;
    assert.match(before, /^netdx_cert_expiry_timestamp_seconds\{target="app"\} /m);
    assert.doesNotMatch(before, /^netdx_fault_info\{/m);
    const swapped = Date.now();
    srv.setSecureContext({ key: c.key, cert: c.expired });
    const seen = await until(
      'TLS-001',
      async () => ((await get(m.base, '/metrics')).body.match(/^netdx_fault_info\{target="app",code="TLS-001",.*primary="true"\} 1$/m) ? Date.now() : null),
      20_000,
      50,
    );
    const diagMs = m.d.monitor().target('app')!.report!.durationMs;
    const took = seen - swapped;
    t.diagnostic(`certificate swap → TLS-001 in /metrics after ${took} ms (diagnosis ${Math.round(diagMs)} ms, interval 1 s)`);
    assert.ok(took <= 2 * 1000 + diagMs + 500, `TLS-001 after ${took} ms (diagnosis ${diagMs} ms)`);
    // the expiry series now shows the expired notAfter
    const exp = Number(/^netdx_cert_expiry_timestamp_seconds\{target="app"\} (\S+)$/m.exec((await get(m.base, '/metrics')).body)![1]);
    assert.ok(exp * 1000 < Date.now());
    // down after two failed checks (default hysteresis)
    await until('down', async () => (/^netdx_state\{target="app"\} 0$/m.test((await get(m.base, '/metrics')).body) ? true : null), 5000);
  } finally {
    await m.stop();
    srv.close();
  }
});

test('a target down one interval in three never changes state with the default hysteresis', async () => {
  // A TCP service that is closed for one interval in three (listening socket closed and reopened).
  let server: net.Server | null = null;
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  probe.close();
  const open = async (): Promise<void> => {
    server = net.createServer((s) => s.destroy());
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  };
  await open();
  const cfg = join(dir, 'flap.yaml');
  writeFileSync(cfg, `interval: 1s\ntargets:\n  - name: flappy\n    target: tcp://127.0.0.1:${port}\n`);
  const m = await startDaemon(cfg, null);
  const r = m.d.monitor().target('flappy')!;
  const states: string[] = [];
  let downs = 0;
  try {
    await until('up', () => (r.state === 'up' ? true : null));
    // 4 cycles of: 2 s open, 1 s closed; state sampled every 100 ms
    for (let cycle = 0; cycle < 4; cycle++) {
      const end = Date.now() + 2000;
      while (Date.now() < end) {
        states.push(r.state);
        await sleep(100);
      }
      (server as net.Server | null)?.close();
      const endClosed = Date.now() + 1000;
      while (Date.now() < endClosed) {
        states.push(r.state);
        await sleep(100);
      }
      downs += r.last && !r.last.ok ? 1 : 0;
      await open();
    }
    assert.ok(r.checks >= 10, `${r.checks} checks`);
    assert.ok(m.d.monitor().target('flappy')!.diagnoses >= 1, 'the failures were diagnosed');
    assert.ok(!states.includes('down'), 'state went down');
    assert.ok(downs + r.diagnoses > 0);
  } finally {
    await m.stop();
    (server as net.Server | null)?.close();
  }
});
