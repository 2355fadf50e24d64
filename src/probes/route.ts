/** The kernel's route choice for one destination (`ip -j route get`), with its refusals mapped. Sends no packet. */
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { routeGet, type RouteGetOptions, type RouteGetOutcome } from '../system/route-get.js';
import type { ProbeContext } from './types.js';
import { probeExecOptions } from '../system/exec.js';
import { routeNetlink } from '../native/addon.js';

export interface RouteQuery {
  destination: string;
  from?: string;
  mark?: string;
  iif?: string;
}

type Lookup = ObservationData['route.lookup'];

const REFUSING = new Set(['blackhole', 'unreachable', 'prohibit']);

/** One 'route.lookup' from routeGet's answer. candidates/rules stay empty: the engine fills them from the route analyzer. Pure. */
export function toLookup(destination: string, r: RouteGetOutcome): Lookup {
  const family: 4 | 6 = destination.includes(':') ? 6 : 4;
  const none = { dev: null, gateway: null, src: null, table: null, route: null, candidates: [], rules: [] };
  if (!r.ok) return { destination, family, outcome: r.kind, ...none, error: r.error };
  const v = r.value;
  if (REFUSING.has(v.type)) return { destination, family, outcome: v.type as Lookup['outcome'], ...none, table: v.table, route: v.text, error: `route type ${v.type}` };
  return { destination, family, outcome: 'route', dev: v.dev, gateway: v.gateway, src: v.src, table: v.table, route: v.text, candidates: [], rules: [] };
}

/**
 * The route lookup within the probe's budget: the kernel asked in-process (rtnetlink, through the
 * raw-socket addon) when it is built, else `ip route get`; every `ip` call (the lookup, and the
 * rule or route list that classifies a refusal) stops when the budget is spent. A caller that
 * gives its own `exec` (a test's recorded answers) is answered by it alone unless it gives `netlink` too.
 */
export async function run(q: string | RouteQuery, ctx: ProbeContext, exec?: RouteGetOptions['exec'], netlink: RouteGetOptions['netlink'] = exec ? null : routeNetlink()): Promise<Observation[]> {
  const { destination, ...opts } = typeof q === 'string' ? { destination: q } : q;
  const t0 = performance.now();
  const r = await routeGet(destination, { ...opts, ...(exec ? { exec } : {}), netlink, ...probeExecOptions(ctx) });
  const ms = performance.now() - t0;
  return [observation('route.lookup', toLookup(destination, r), ms)];
}
