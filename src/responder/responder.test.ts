import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startResponder } from './server.js';
import { askArrived, lineReader, openControl, returnMtu, udpLoss } from '../probes/responder-client.js';
import { loadAddon } from '../native/addon.js';
import { certFile } from '../probes/test-servers.js';

const TOKEN = 'lab-token';

async function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.on('connect', () => s.write(text));
    setTimeout(() => s.destroy(), 2000);
  });
}

test('responder on loopback: what arrived (SYN view with the addon), clock offset ~0, no NAT', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
  try {
    const v = await askArrived({ host: '127.0.0.1', port: r.address.port, token: TOKEN }, 2000);
    assert.equal(v.arrived.peer.address, '127.0.0.1');
    assert.equal(v.arrived.peer.port, v.local.port);
    assert.ok(v.clock && Math.abs(v.clock.offsetMs) < 50, JSON.stringify(v.clock));
    if (loadAddon()) {
      assert.ok(v.arrived.syn, v.arrived.synSkipped);
      assert.equal(v.arrived.syn.srcPort, v.local.port);
      assert.equal(v.arrived.syn.mss, v.offeredMss);
      assert.equal(v.arrived.syn.hops, 0);
    } else assert.match(v.arrived.synSkipped ?? '', /addon/);
  } finally {
    await r.close();
  }
});

test('responder: anonymous arrived is padded and answered; anonymous source above 4 KiB needs the token', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
  try {
    const v = await askArrived({ host: '127.0.0.1', port: r.address.port, token: null }, 2000, 1);
    assert.equal(v.arrived.peer.address, '127.0.0.1');
    const out = await rawExchange(r.address.port, '{"op":"source","bytes":100000}\n');
    assert.match(out, /needs-token/);
    // An unpadded anonymous 'arrived' would be answered larger than it asked: refused.
    const small = await rawExchange(r.address.port, '{"op":"arrived"}\n');
    assert.match(small, /needs-token/);
    assert.ok(r.stats.rejected['needs-token'] >= 2);
  } finally {
    await r.close();
  }
});

test('responder: bad tokens rejected and counted; malformed requests answered with an error, the responder keeps serving', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
  try {
    assert.match(await rawExchange(r.address.port, '{"op":"arrived","token":"wrong"}\n'), /bad-token/);
    assert.match(await rawExchange(r.address.port, 'GET / HTTP/1.1\r\n\r\n'), /malformed/);
    assert.match(await rawExchange(r.address.port, '{"op":"rm -rf"}\n'), /unknown-op/);
    assert.match(await rawExchange(r.address.port, 'x'.repeat(10_000)), /too-long/);
    assert.equal(r.stats.rejected['bad-token'], 1);
    assert.equal(r.stats.rejected.malformed, 1);
    const v = await askArrived({ host: '127.0.0.1', port: r.address.port, token: TOKEN }, 2000, 1);
    assert.equal(v.arrived.ok, true);
  } finally {
    await r.close();
  }
});

test('responder: sink and source move the bytes asked for and report the server side', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
  const a = { host: '127.0.0.1', port: r.address.port, token: TOKEN };
  try {
    const s = await openControl(a, 2000);
    const lr = lineReader(s);
    s.write(JSON.stringify({ op: 'sink', bytes: 1_000_000, token: TOKEN }) + '\n');
    s.write(Buffer.alloc(1_000_000));
    const done = await lr.next(3000);
    assert.equal(done.received, 1_000_000);
    s.destroy();
    const got = await new Promise<number>((resolve) => {
      const c = net.connect(a.port, a.host, () => c.write(JSON.stringify({ op: 'source', bytes: 2_000_000, token: TOKEN }) + '\n'));
      let n = 0;
      c.on('data', (d: Buffer) => (n += d.length));
      c.on('close', () => resolve(n));
    });
    assert.ok(got >= 2_000_000 && got < 2_000_000 + 400, String(got));
  } finally {
    await r.close();
  }
});

test('responder sink with the addon: the kernel discards the bytes, counted exactly (request and data in one write, then more); a half-sent upload ends when the responder closes', async () => {
  if (!loadAddon()) return;
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
  const a = { host: '127.0.0.1', port: r.address.port, token: TOKEN };
  try {
    const s = await openControl(a, 2000);
    const lr = lineReader(s);
    // Part of the data rides with the request line (node reads it), the rest goes to the sink.
    s.write(Buffer.concat([Buffer.from(JSON.stringify({ op: 'sink', bytes: 5_000_001, token: TOKEN }) + '\n'), Buffer.alloc(1234)]));
    for (let i = 0; i < 5; i++) s.write(Buffer.alloc(1_000_000));
    s.write(Buffer.alloc(1_000_000 - 1234 + 1));
    const done = await lr.next(5000);
    assert.equal(done.received, 5_000_001);
    assert.equal(r.stats.bytesIn >= 5_000_001, true);
    s.destroy();
    // 1 GB asked, 1 MB sent: the sink waits; closing the responder ends it (the socket does not linger until the idle timeout).
    const t = await openControl(a, 2000);
    t.on('error', () => {});
    t.write(JSON.stringify({ op: 'sink', bytes: 1e9, token: TOKEN }) + '\n');
    t.write(Buffer.alloc(1_000_000));
    for (let i = 0; i < 50 && r.stats.sinking === 0; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(r.stats.sinking, 1);
  } finally {
    await r.close();
  }
  // Without the abort the sink's thread would wait for the 30 s idle timeout (the client is still connected).
  for (let i = 0; i < 50 && r.stats.sinking > 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(r.stats.sinking, 0);
});

test('responder: UDP echoes counted both ways; DF datagrams of every size come back on loopback', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null });
  const a = { host: '127.0.0.1', port: r.address.port, token: TOKEN };
  try {
    const l = await udpLoss(a, { count: 20, intervalMs: 1, waitMs: 100 });
    assert.equal(l.arrived, 20);
    assert.equal(l.answered, 20);
    const m = await returnMtu(a, { waitMs: 100 });
    assert.equal(m.largestOk, 1500);
    assert.equal(m.smallestLost, null);
    // Anonymous: sizes above the request's own size are not sent unless the request is padded to them.
    const anon = await returnMtu({ ...a, token: null }, { waitMs: 100, sizes: [1000, 1400] });
    assert.deepEqual(anon.arrived, [1000, 1400]);
  } finally {
    await r.close();
  }
});

test('responder over TLS: the ClientHello as received (SNI), then the same protocol', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: { cert: certFile('self.pem'), key: certFile('self.key') } });
  try {
    const v = await askArrived({ host: '127.0.0.1', port: r.address.port, token: TOKEN, tls: { servername: 'responder.lab.test' } }, 2000, 1);
    assert.equal(v.arrived.tls?.sni, 'responder.lab.test');
    assert.equal(v.arrived.peer.address, '127.0.0.1');
  } finally {
    await r.close();
  }
});

test('responder: connections above the limit are answered busy, not crashed', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null, maxConnections: 2 });
  const held: net.Socket[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const s = net.connect(r.address.port, '127.0.0.1');
      s.on('error', () => {});
      held.push(s);
      await new Promise((res) => s.once('connect', res));
    }
    await new Promise((res) => setTimeout(res, 50));
    assert.match(await rawExchange(r.address.port, ''), /busy/);
  } finally {
    for (const s of held) s.destroy();
    await r.close();
  }
});

test('responder without the raw-socket addon: starts, says what it skips, answers synSkipped', async () => {
  const r = await startResponder({ host: '127.0.0.1', port: 0, token: TOKEN, tls: null, addon: null });
  try {
    assert.ok(
      r.skipped.some((s) => /SYN view/.test(s)),
      r.skipped.join('; '),
    );
    const v = await askArrived({ host: '127.0.0.1', port: r.address.port, token: TOKEN }, 2000, 1);
    assert.equal(v.arrived.syn, null);
    assert.match(v.arrived.synSkipped ?? '', /addon/);
  } finally {
    await r.close();
  }
});
