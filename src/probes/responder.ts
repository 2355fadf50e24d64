/**
 * What only two ends can see: asks a netdx responder next to the server what arrived
 * (source after NAT, the SYN's MSS/TTL/options), the clock offset, one-way loss per direction
 * (UDP echoes it counted vs answers that came back) and which DF datagram sizes make it back
 * (the server→client path MTU). One `responder.view` observation, plus a `host.clock` source.
 */
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { askArrived, oneWay, returnMtu, udpLoss, ResponderError, type LossResult, type ResponderAddress } from './responder-client.js';
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
  // The UDP echoes (loss per direction) run beside the control connection: on a lossy path the
  // connection may wait for retransmissions or fail, and the loss count is what tells the direction.
  const lossP = udpLoss(a, { count: 30, intervalMs: 10 }).catch(() => null);
  const lossView = (l: LossResult | null, offsetMs: number | null): View['loss'] => (l ? { sent: l.sent, arrived: l.arrived, answered: l.answered, ...oneWay(l.raw, offsetMs) } : null);
  let arrived;
  try {
    arrived = await askArrived(a, Math.max(500, Math.min(3000, ctx.budgetMs / 3)), 5);
  } catch (err) {
    const e = err instanceof ResponderError ? err : null;
    const outcome: View['outcome'] = e?.kind === 'refused-by-responder' ? 'refused' : e?.kind === 'connect' || e?.kind === 'timeout' ? 'unreachable' : 'error';
    const reason = err instanceof Error ? err.message : String(err);
    const loss = outcome === 'refused' ? null : await lossP;
    if (loss && loss.arrived !== null) {
      // The responder counted the echoes: it is there, only its control connection did not make it.
      return [observation('responder.view', { ...base, loss: lossView(loss, null), error: `control connection: ${reason}` }, performance.now() - t0)];
    }
    return [observation('responder.view', { ...base, outcome, error: reason }, performance.now() - t0), observation('check.unknown', { layer: 'network', check: `responder ${name}`, reason })];
  }
  const s = arrived.arrived.syn;
  const rtt = arrived.clock?.rttMs ?? 10;
  // DF sizes back from the responder; answers may take a few RTTs.
  const wait = Math.max(200, Math.min(1000, rtt * 4 + 100));
  const [loss, mtu] = await Promise.all([lossP, returnMtu(a, { waitMs: wait, rounds: 2 }).catch(() => null)]);
  const view: View = {
    ...base,
    local: arrived.local,
    seen: arrived.arrived.peer,
    syn: s ? { ttl: s.ttl, hops: s.hops, mss: s.mss, wscale: s.wscale, sackOk: s.sackOk, timestamps: s.timestamps, window: s.window, options: s.options } : null,
    ...(arrived.arrived.synSkipped ? { synSkipped: arrived.arrived.synSkipped } : {}),
    offeredMss: arrived.offeredMss,
    clock: arrived.clock ? { offsetMs: arrived.clock.offsetMs, rttMs: arrived.clock.rttMs } : null,
    loss: lossView(loss, arrived.clock?.offsetMs ?? null),
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
