/** A TCP connect to the configured proxy. */
import { observation, type Observation } from '../model/observation.js';
import type { ProbeContext } from './types.js';
import { run as tcp } from './tcp.js';

export async function run(q: { host: string; port: number }, ctx: ProbeContext): Promise<Observation[]> {
  const r = await tcp({ address: q.host, port: q.port, afterMs: 0 }, ctx);
  const t = r.find((o) => o.kind === 'tcp.connect');
  if (!t || t.kind !== 'tcp.connect') return [];
  return [observation('proxy.connect', { host: q.host, port: q.port, outcome: t.data.outcome, ms: t.data.ms, ...(t.data.errno ? { error: t.data.errno } : {}) }, t.ms)];
}
