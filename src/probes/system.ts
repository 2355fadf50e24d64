/**
 * What the system resolver returns: getaddrinfo via dns.lookup (hosts file, nsswitch,
 * resolv.conf, in that machine's order). It cannot be cancelled; on abort the probe returns
 * error 'TIMEOUT' and leaves the lookup to finish in libuv's thread pool.
 */
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { errCode, onAbort, round1 } from './abort.js';
import type { ProbeContext } from './types.js';

type SystemData = ObservationData['dns.system'];

/** At most this many addresses are kept (a hosts file can list many). */
const MAX_ADDRESSES = 64;

export async function run(name: string, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  let detach = (): void => {};
  const timeout = new Promise<'timeout'>((res) => {
    detach = onAbort(ctx.signal, () => res('timeout'));
  });
  let data: SystemData;
  try {
    const r = ctx.signal.aborted ? 'timeout' : await Promise.race([lookup(name, { all: true, verbatim: true }), timeout]);
    if (r === 'timeout') data = { name, addresses: [], error: 'TIMEOUT', ms: 0 };
    else data = { name, addresses: r.slice(0, MAX_ADDRESSES).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })), error: null, ms: 0 };
  } catch (err) {
    data = { name, addresses: [], error: errCode(err) ?? 'ERROR', ms: 0 };
  } finally {
    detach();
  }
  const ms = performance.now() - t0;
  data.ms = round1(ms);
  return [observation('dns.system', data, ms)];
}
