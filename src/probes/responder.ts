/**
 * What only two ends can see: asks a netdx responder next to the server what arrived
 * (source after NAT, the SYN's MSS/TTL/options), the clock offset, one-way loss per direction
 * (UDP echoes it counted vs answers that came back) and which DF datagram sizes make it back
 * (the server→client path MTU). One `responder.view` observation, plus a `host.clock` source.
 */
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { askArrived, returnMtu, udpLoss, ResponderError, type ResponderAddress } from './responder-client.js';
import type { ProbeContext } from './types.js';

export interface ResponderQuery {
  host: string;
  port: number;
  token: string | null;
}

type View = ObservationData['responder.view'];

export async function run(q: ResponderQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const a: ResponderAddress = { host: q.host, port: q.port, token: q.token };
  const name = q.host.includes(':') ? `[${q.host}]:${q.port}` : `${q.host}:${q.port}`;
  const base: View = { responder: name, outcome: 'ok', local: null, seen: null, syn: null, offeredMss: null, clock: null, loss: null, returnMtu: null };
  let arrived;
  try {
    arrived = await askArrived(a, Math.max(500, Math.min(3000, ctx.budgetMs / 3)), 5);
  } catch (err) {
    const e = err instanceof ResponderError ? err : null;
    const outcome: View['outcome'] = e?.kind === 'refused-by-responder' ? 'refused' : e?.kind === 'connect' || e?.kind === 'timeout' ? 'unreachable' : 'error';
    const reason = err instanceof Error ? err.message : String(err);
    return [observation('responder.view', { ...base, outcome, error: reason }, performance.now() - t0), observation('check.unknown', { layer: 'network', check: `responder ${name}`, reason })];
  }
  const s = arrived.arrived.syn;
  const rtt = arrived.clock?.rttMs ?? 10;
  // Echoes 10 ms apart; answers may take a few RTTs. DF sizes in the same budget, in parallel.
  const wait = Math.max(200, Math.min(1000, rtt * 4 + 100));
  const [loss, mtu] = await Promise.all([
    udpLoss(a, { count: 30, intervalMs: 10, waitMs: wait, clockOffsetMs: arrived.clock?.offsetMs ?? null }).catch(() => null),
    returnMtu(a, { waitMs: wait, rounds: 2 }).catch(() => null),
  ]);
  const view: View = {
    ...base,
    local: arrived.local,
    seen: arrived.arrived.peer,
    syn: s ? { ttl: s.ttl, hops: s.hops, mss: s.mss, wscale: s.wscale, sackOk: s.sackOk, timestamps: s.timestamps, window: s.window, options: s.options } : null,
    ...(arrived.arrived.synSkipped ? { synSkipped: arrived.arrived.synSkipped } : {}),
    offeredMss: arrived.offeredMss,
    clock: arrived.clock ? { offsetMs: arrived.clock.offsetMs, rttMs: arrived.clock.rttMs } : null,
    loss,
    returnMtu: mtu,
  };
  const out: Observation[] = [observation('responder.view', view, performance.now() - t0)];
  if (arrived.clock) {
    const now = new Date();
    out.push(
      observation('host.clock', {
        local: now.toISOString(),
        sources: [{ source: 'responder', peer: name, time: new Date(now.getTime() + arrived.clock.offsetMs).toISOString(), skewMs: -arrived.clock.offsetMs }],
      }),
    );
  }
  return out;
}
