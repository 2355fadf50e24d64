import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { run } from './responder.js';
import { probeContext } from './types.js';

/**
 * A responder whose control connection never answers (a return path that loses it) while its UDP
 * echoes and count do: the loss per direction still reaches the report. `dropEvery`: every Nth
 * echo answer is not sent (loss on the way back).
 */
async function halfResponder(dropEvery: number): Promise<{ port: number; close: () => void }> {
  const tcp = net.createServer((s) => s.on('error', () => {}));
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  const counts = new Map<number, number>();
  udp.on('message', (m, r) => {
    const v = JSON.parse(m.toString('latin1').trimEnd()) as { op: string; id: number; seq?: number; t1?: number };
    if (v.op === 'echo') {
      counts.set(v.id, (counts.get(v.id) ?? 0) + 1);
      if ((v.seq! + 1) % dropEvery === 0) return;
      const t = Date.now();
      udp.send(JSON.stringify({ op: 'echo', id: v.id, seq: v.seq, t1: v.t1, t2: t, t3: t }), r.port, r.address);
    } else if (v.op === 'count') udp.send(JSON.stringify({ op: 'count', id: v.id, received: counts.get(v.id) ?? 0 }), r.port, r.address);
  });
  udp.bind(port, '127.0.0.1');
  await once(udp, 'listening');
  return {
    port,
    close: () => {
      tcp.close();
      udp.close();
    },
  };
}

test('responder probe: the control connection never answers, the UDP count does → the loss per direction is still reported', async () => {
  const h = await halfResponder(3);
  try {
    const obs = await run({ host: '127.0.0.1', port: h.port, token: null }, probeContext(1500));
    const v = obs.find((o) => o.kind === 'responder.view')!.data as { outcome: string; error?: string; loss: { sent: number; arrived: number | null; answered: number } | null };
    assert.equal(v.outcome, 'ok');
    assert.match(v.error ?? '', /^control connection: no answer from the responder within \d+ ms$/);
    assert.deepEqual(v.loss && { sent: v.loss.sent, arrived: v.loss.arrived, answered: v.loss.answered }, { sent: 30, arrived: 30, answered: 20 });
    assert.equal(
      obs.some((o) => o.kind === 'check.unknown'),
      false,
    );
  } finally {
    h.close();
  }
});

test('responder probe: nothing there at all → unreachable, a check that could not be made', async () => {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  const obs = await run({ host: '127.0.0.1', port, token: null }, probeContext(1500));
  const v = obs.find((o) => o.kind === 'responder.view')!.data as { outcome: string };
  assert.equal(v.outcome, 'unreachable');
  assert.ok(obs.some((o) => o.kind === 'check.unknown'));
});

test('responder probe: the count is asked as often as a lossy return path needs (all asks lost < 1 in 10,000)', async () => {
  const { countAsks } = await import('./responder-client.js');
  assert.equal(countAsks(true, 0), 1, 'nothing answered: one ask');
  assert.equal(countAsks(false, 1), 3, 'a clean path: three asks');
  assert.equal(countAsks(false, 0.65), 9, '35 % lost: 0.35^9 < 1e-4 (five asks, as before, failed once in 190 runs)');
  assert.ok(0.35 ** countAsks(false, 0.65) < 1e-4);
  assert.equal(countAsks(false, 0.05), 12, 'at most 12');
});
