/**
 * The raw-network module against loopback (real sockets, no namespaces). Skipped when the addon
 * is not built or the process has no CAP_NET_RAW — the reason is printed as the skip message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNative, nativeUnavailable } from './index.js';
import { sinceHandshake, watchLength } from './connect.js';
import { spawnDetached } from './spawn.js';
import { loadAddon } from './addon.js';
import { performance } from 'node:perf_hooks';

const n = loadNative();
const skip = n ? false : (nativeUnavailable() ?? 'unavailable');

async function listen(onConn: (s: net.Socket) => void = (s) => s.destroy()): Promise<{ port: number; close: () => void }> {
  const srv = net.createServer(onConn);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = await listen();
  s.close();
  return s.port;
}

test('icmpEcho: loopback answers, IPv4 and IPv6; parallel echoes are told apart by ident/seq', { skip }, async () => {
  const r = await n!.icmpEcho({ address: '127.0.0.1', timeoutMs: 1000 });
  assert.equal(r.outcome, 'reply');
  assert.equal(r.from, '127.0.0.1');
  assert.ok(r.rttMs !== null && r.rttMs >= 0);
  const r6 = await n!.icmpEcho({ address: '::1', timeoutMs: 1000 });
  assert.equal(r6.outcome, 'reply');
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => n!.icmpEcho({ address: '127.0.0.1', timeoutMs: 1000, seq: i + 1, size: 64 + i * 50, df: i % 2 === 0 })));
  assert.deepEqual(
    many.map((x) => x.outcome),
    many.map(() => 'reply'),
  );
});

test('icmpEcho: an answer that waited while the event loop was busy keeps its true RTT (the kernel receive time)', { skip }, async () => {
  const pending = n!.icmpEcho({ address: '127.0.0.1', timeoutMs: 2000 });
  // Busy for 150 ms right after the send: the reply sits in the socket meanwhile.
  const until = performance.now() + 150;
  while (performance.now() < until);
  const r = await pending;
  assert.equal(r.outcome, 'reply');
  assert.ok(r.rttMs !== null && r.rttMs < 50, `rtt ${r.rttMs} ms: the time the reply waited for the event loop was counted`);
});

test('tcpConnect: open gives TCP_INFO (RTT, MSS); a closed port is refused by RST, not ICMP', { skip }, async () => {
  const srv = await listen();
  try {
    const open = await n!.tcpConnect({ address: '127.0.0.1', port: srv.port, timeoutMs: 1000 });
    assert.equal(open.outcome, 'open');
    assert.ok(open.tcpInfo && open.tcpInfo.sndMss > 0 && open.tcpInfo.rttUs > 0);
    assert.equal(open.icmp, null);
  } finally {
    srv.close();
  }
  const refused = await n!.tcpConnect({ address: '127.0.0.1', port: await closedPort(), timeoutMs: 1000 });
  assert.equal(refused.outcome, 'refused');
  assert.equal(refused.errno, 'ECONNREFUSED');
  assert.equal(refused.icmp, null);
});

test('tcpConnect with a watch: the same connection is watched (one accept): banner → data, RST → rst, FIN → fin, silence → quiet after the minimum', { skip }, async () => {
  const watch = { minMs: 50, rtts: 5, maxMs: 2000, maxBytes: 4096 };
  const cases: Array<[string, (s: net.Socket) => void, string]> = [
    ['banner', (s) => s.write('220 ready\r\n'), 'data'],
    ['reset', (s) => setTimeout(() => s.resetAndDestroy(), 20), 'rst'],
    ['close', (s) => s.end(), 'fin'],
    ['silent', () => {}, 'quiet'],
  ];
  for (const [name, onConn, want] of cases) {
    let accepted = 0;
    const srv = await listen((s) => {
      accepted++;
      s.on('error', () => {});
      onConn(s);
    });
    try {
      const r = await n!.tcpConnect({ address: '127.0.0.1', port: srv.port, timeoutMs: 1000, after: watch });
      assert.equal(r.outcome, 'open', name);
      assert.equal(r.after?.event, want, name);
      if (want === 'data') assert.equal(r.after?.bytes, 11);
      // Loopback RTTs are microseconds: the watch lasts its minimum, far from its maximum.
      if (want === 'quiet') assert.ok(r.after!.ms >= 45 && r.after!.ms < 1000, String(r.after!.ms)); // timers fire to the millisecond
      assert.equal(accepted, 1, name);
    } finally {
      srv.close();
    }
  }
});

test('tcpConnect tells its answer (onAnswer) when the handshake is done, before the watch ends; a refusal too', { skip }, async () => {
  const srv = await listen((s) => s.on('error', () => {}));
  try {
    let toldAt = 0;
    let told: string | null = null;
    const r = await n!.tcpConnect({
      address: '127.0.0.1',
      port: srv.port,
      timeoutMs: 1000,
      after: { minMs: 80, rtts: 5, maxMs: 2000, maxBytes: 4096 },
      onAnswer: (a) => {
        told = a.outcome;
        toldAt = performance.now();
      },
    });
    const doneAt = performance.now();
    assert.equal(told, 'open');
    assert.equal(r.after?.event, 'quiet');
    // The answer came before the 80 ms watch, not with the result.
    assert.ok(doneAt - toldAt >= 60, `told ${(doneAt - toldAt).toFixed(1)} ms before the result`);
  } finally {
    srv.close();
  }
  const closed = await listen(() => {});
  closed.close();
  const outcomes: string[] = [];
  const refused = await n!.tcpConnect({
    address: '127.0.0.1',
    port: closed.port,
    timeoutMs: 1000,
    after: { minMs: 80, rtts: 5, maxMs: 2000, maxBytes: 4096 },
    onAnswer: (a) => outcomes.push(a.outcome),
  });
  assert.equal(refused.outcome, 'refused');
  assert.deepEqual(outcomes, ['refused']);
});

test('tcpConnect with a watch: a RST that came while this process was not scheduled is seen, not called quiet', { skip, timeout: 10_000 }, async () => {
  // The server lives in another process, so it resets while this one is busy.
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer(c=>{c.on('error',()=>{});setTimeout(()=>c.resetAndDestroy(),30)});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    const port = await new Promise<number>((res) => child.stdout.once('data', (d: Buffer) => res(Number(String(d).trim()))));
    const running = n!.tcpConnect({ address: '127.0.0.1', port, timeoutMs: 2000, after: { minMs: 10, rtts: 5, maxMs: 10, maxBytes: 4096 } });
    // Not scheduled for 300 ms once the connect is under way: the 10 ms watch and the RST (sent 30 ms
    // after the accept) are both due when it runs again.
    setTimeout(() => {
      const until = performance.now() + 300;
      while (performance.now() < until);
    }, 1);
    const r = await running;
    assert.ok((r.outcome === 'open' && r.after?.event === 'rst') || r.errno === 'ECONNRESET', JSON.stringify(r));
  } finally {
    child.kill();
  }
});

test('watchLength: five kernel RTTs within [min, max]; the connect time when TCP_INFO is missing; sinceHandshake', () => {
  const w = { minMs: 50, rtts: 5, maxMs: 300, maxBytes: 1 };
  const info = (rttUs: number) => ({ rttUs, rttVarUs: 0, retransmits: 0, totalRetrans: 0, sndMss: 1448, rcvMss: 536, pmtu: 1500 });
  assert.equal(watchLength(w, info(40), 30), 50, 'a LAN: the minimum, not 5 × a connect time the event loop inflated');
  assert.equal(watchLength(w, info(20_000), 25), 100);
  assert.equal(watchLength(w, info(200_000), 210), 300);
  assert.equal(watchLength(w, null, 30), 150);
  assert.equal(watchLength(w, info(0), 12), 60);
  // The event loop noticed the handshake 30 ms after the SYN, the kernel had it after 40 µs: the watch has run ~30 ms already.
  assert.ok(Math.abs(sinceHandshake(info(40), 30) - 29.96) < 1e-9);
  assert.equal(sinceHandshake(null, 30), 0);
  assert.equal(sinceHandshake(info(20_000), 12), 0, 'a kernel RTT above the connect time: nothing has passed');
});

test(
  'spawnDetached: the child runs in a process group of its own with the given environment, its exit is seen, a missing program is null',
  { skip: loadAddon()?.spawn ? false : 'the addon has no spawn' },
  async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'netdx-spawn-'));
    const keep = setInterval(() => {}, 1000); // the exit watch does not hold the event loop open by itself
    try {
      const out = join(dir, 'out');
      const s = spawnDetached('sh', ['-c', `echo "$NETDX_SPAWN_TEST $$ $(ps -o pgid= -p $$)" > ${out}; echo noise; echo noise >&2`], { PATH: '/usr/bin:/bin', NETDX_SPAWN_TEST: 'hello' });
      assert.ok(s);
      await s.exited;
      const [word, pid, pgid] = readFileSync(out, 'utf8').trim().split(/\s+/);
      assert.deepEqual([word, Number(pid), Number(pgid)], ['hello', s.pid, s.pid]);
      assert.equal(spawnDetached('netdx-no-such-program', [], { PATH: '/usr/bin:/bin' }), null);
      // The addon stops a watch whose handle is collected: a collection while the child runs must not lose its exit.
      const slow = spawnDetached('sleep', ['0.3'], { PATH: '/usr/bin:/bin' });
      assert.ok(slow);
      const { setFlagsFromString } = await import('node:v8');
      const { runInNewContext } = await import('node:vm');
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
      await slow.exited;
    } finally {
      clearInterval(keep);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('tcpOpen: the kept connection reports bytes acked after a send', { skip }, async () => {
  const srv = await listen((s) => s.resume());
  try {
    const r = await n!.tcpOpen({ address: '127.0.0.1', port: srv.port, timeoutMs: 1000 });
    assert.equal(r.outcome, 'open');
    assert.ok(r.conn);
    assert.equal(r.conn.send(Buffer.alloc(10_000, 1)), 10_000);
    // the peer's ACKs arrive within a few ms on loopback: poll for them instead of sleeping
    const until = Date.now() + 2000;
    while (r.conn.info().bytesAcked < 10_000 && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
    assert.ok(r.conn.info().bytesAcked >= 10_000);
    r.conn.close();
  } finally {
    srv.close();
  }
});

test('probe: TCP SYN gets SYN-ACK from a listener and RST from a closed port; UDP gets port-unreachable', { skip }, async () => {
  const srv = await listen();
  try {
    const synack = await n!.probe({ proto: 'tcp', dst: '127.0.0.1', src: '127.0.0.1', ttl: 64, timeoutMs: 1000, flow: 40_000 + (n!.nextId() % 20_000), port: srv.port, id: 123_456 });
    assert.equal(synack.outcome, 'reply');
    assert.equal(synack.tcp, 'syn-ack');
  } finally {
    srv.close();
  }
  const rst = await n!.probe({ proto: 'tcp', dst: '127.0.0.1', src: '127.0.0.1', ttl: 64, timeoutMs: 1000, flow: 40_000 + (n!.nextId() % 20_000), port: await closedPort(), id: 7 });
  assert.equal(rst.tcp, 'rst');
  const u = dgram.createSocket('udp4');
  await new Promise<void>((r) => u.bind(0, '127.0.0.1', r));
  const udpPort = u.address().port;
  u.close();
  const udp = await n!.probe({ proto: 'udp', dst: '127.0.0.1', src: '127.0.0.1', ttl: 64, timeoutMs: 1000, flow: 40_000 + (n!.nextId() % 20_000), port: udpPort, id: 99 });
  assert.equal(udp.outcome, 'reply');
  assert.equal(udp.icmp?.name, 'port-unreachable');
});

test('routeSource: loopback source for loopback, null never thrown', { skip }, () => {
  assert.equal(n!.routeSource('127.0.0.1'), '127.0.0.1');
  assert.equal(n!.routeSource('::1'), '::1');
});

test('loadNative: without CAP_NET_RAW it returns null and says why (no throw at import)', { skip: skip || process.getuid?.() !== 0 }, () => {
  const mod = fileURLToPath(new URL('./index.js', import.meta.url));
  const code = `import(${JSON.stringify(mod)}).then((m) => { const a = m.loadNative(); process.stdout.write(JSON.stringify({ a: a === null, why: m.nativeUnavailable() })); })`;
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', process.execPath, '-e', code], { encoding: 'utf8' });
  if (r.error) return; // setpriv absent: nothing to check here
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { a: true, why: 'raw sockets need root or CAP_NET_RAW' });
});
