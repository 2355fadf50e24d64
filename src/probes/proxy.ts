/** A TCP connect to the selected proxy (its name resolved by the system resolver first). */
import { ipFamily } from '../model/prefix.js';
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { run as tcp, type TcpDeps } from './tcp.js';
import { errCode, onAbort, round1 } from './abort.js';
import type { ProbeContext } from './types.js';

export interface ProxyQuery {
  host: string;
  port: number;
}

type ProxyData = ObservationData['proxy.connect'];

async function resolve(host: string, signal: AbortSignal): Promise<{ address: string } | { error: string }> {
  if (ipFamily(host) !== null) return { address: host };
  let detach = (): void => {};
  const aborted = new Promise<{ error: string }>((res) => {
    detach = onAbort(signal, () => res({ error: `resolving ${host}: no answer within the budget` }));
  });
  try {
    return await Promise.race([lookup(host).then((a) => ({ address: a.address })), aborted]);
  } catch (err) {
    return { error: `resolving ${host.slice(0, 100)}: ${errCode(err) ?? 'failed'}` };
  } finally {
    detach();
  }
}

export async function run(q: ProxyQuery, ctx: ProbeContext, deps?: TcpDeps): Promise<Observation[]> {
  const t0 = performance.now();
  const r = await resolve(q.host, ctx.signal);
  if ('error' in r) {
    const ms = performance.now() - t0;
    return [observation('proxy.connect', { host: q.host, port: q.port, outcome: 'error', ms: round1(ms), error: r.error }, ms)];
  }
  const obs = await tcp({ address: r.address, port: q.port, afterMs: 0 }, ctx, deps);
  const t = obs.find((o): o is Observation<'tcp.connect'> => o.kind === 'tcp.connect');
  const ms = performance.now() - t0;
  const data: ProxyData = { host: q.host, port: q.port, outcome: t?.data.outcome ?? 'error', ms: round1(ms) };
  if (t?.data.errno) data.error = t.data.errno;
  return [observation('proxy.connect', data, ms)];
}
