/** The kernel's route choice for one destination (`ip -j route get`). Sends no packet. */
import { performance } from 'node:perf_hooks';
import { observation, type Observation } from '../model/observation.js';
import { routeGet } from '../system/collect.js';
import type { ProbeContext } from './types.js';

export async function run(dst: string, _ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const r = await routeGet(dst);
  const ms = performance.now() - t0;
  const family = dst.includes(':') ? 6 : 4;
  if (r.ok) {
    const v = r.value;
    const text = [v.dst, v.gateway ? `via ${v.gateway}` : '', v.dev ? `dev ${v.dev}` : '', v.table && v.table !== 'main' ? `table ${v.table}` : '', v.src ? `src ${v.src}` : ''].filter(Boolean).join(' ');
    return [observation('route.lookup', { destination: dst, family, outcome: 'route', dev: v.dev, gateway: v.gateway, src: v.src, table: v.table ?? 'main', route: text, candidates: [], rules: [] }, ms)];
  }
  const outcome = r.kind === 'error' ? 'error' : r.kind;
  return [observation('route.lookup', { destination: dst, family, outcome, dev: null, gateway: null, src: null, table: null, route: null, candidates: [], rules: [], error: r.error }, ms)];
}
