import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { parseHeartbeat, run } from './heartbeat.js';
import { NetdxError } from '../model/errors.js';

const ctx = (ms: number) => ({ signal: AbortSignal.timeout(ms), budgetMs: ms, log: () => {} });

test('parseHeartbeat: defaults, escapes and one-line errors', () => {
  assert.deepEqual(parseHeartbeat('send=PING;expect=PONG;every=10s'), { send: 'PING\n', expect: 'PONG', everySec: 10, count: 3, replySec: 2 });
  assert.deepEqual(parseHeartbeat('send=HB\\r\\n;expect=ACK;every=200ms;count=5;timeout=100ms'), { send: 'HB\r\n', expect: 'ACK', everySec: 0.2, count: 5, replySec: 0.1 });
  for (const [bad, re] of [
    ['send=PING;every=1s', /expect= is missing/],
    ['send=P;expect=Q;every=soon', /every 'soon' is not a duration/],
    ['send=P;expect=Q;every=1s;color=red', /unknown key 'color'/],
    ['junk', /is not key=value/],
  ] as const) {
    assert.throws(
      () => parseHeartbeat(bad),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && re.test(e.message) && !e.message.includes('\n'),
    );
  }
});

function server(handler: (c: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  const s = net.createServer((c) => {
    c.on('error', () => {});
    handler(c);
  });
  return new Promise((res) => s.listen(0, '127.0.0.1', () => res({ port: (s.address() as net.AddressInfo).port, close: () => s.close() })));
}

test('a PONG server answers every beat', async () => {
  const s = await server((c) => c.on('data', (d) => d.toString().includes('PING') && c.write('PONG\n')));
  const [o] = await run({ address: '127.0.0.1', port: s.port, tls: false, servername: null, spec: parseHeartbeat('send=PING;expect=PONG;every=100ms;count=3') }, ctx(3000));
  s.close();
  assert.equal(o?.kind, 'app.heartbeat');
  const d = o!.data as { sent: number; answered: number; peerClosed: unknown; intervalSec: number };
  assert.equal(d.sent, 3);
  assert.equal(d.answered, 3);
  assert.equal(d.peerClosed, null);
  assert.ok(d.intervalSec >= 0.09 && d.intervalSec < 0.3);
});

test('a server with a short idle timeout closes between beats: peerClosed gives its timeout', async () => {
  const s = await server((c) => {
    let t = setTimeout(() => c.end(), 300);
    c.on('data', () => {
      c.write('PONG\n');
      clearTimeout(t);
      t = setTimeout(() => c.end(), 300);
    });
  });
  const [o] = await run({ address: '127.0.0.1', port: s.port, tls: false, servername: null, spec: parseHeartbeat('send=PING;expect=PONG;every=1s;count=3') }, ctx(3000));
  s.close();
  const d = o!.data as { sent: number; answered: number; peerClosed: { afterIdleSec: number } | null };
  assert.equal(d.sent, 1);
  assert.equal(d.answered, 1);
  assert.ok(d.peerClosed && d.peerClosed.afterIdleSec >= 0.2 && d.peerClosed.afterIdleSec < 0.6, JSON.stringify(d.peerClosed));
});

test('a silent peer: beats are lost, the probe ends within its budget', async () => {
  const s = await server(() => {});
  const [o] = await run({ address: '127.0.0.1', port: s.port, tls: false, servername: null, spec: parseHeartbeat('send=PING;expect=PONG;every=100ms;count=2') }, ctx(2000));
  s.close();
  const d = o!.data as { sent: number; answered: number };
  assert.equal(d.sent, 2);
  assert.equal(d.answered, 0);
});
