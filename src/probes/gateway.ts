/**
 * Gateway check: does the next hop answer? One quick echo to it (which also makes the kernel
 * resolve its link-layer address), then its neighbour state (`ip -j neigh show ADDR dev DEV`).
 */
import { performance } from 'node:perf_hooks';
import { observation, type Observation } from '../model/observation.js';
import { execTool } from '../system/collect.js';
import { parseIpNeigh } from '../system/parse-ip.js';
import type { ProbeContext } from './types.js';
import { run as icmp } from './icmp.js';

export interface GatewayQuery {
  gateway: string;
  dev: string;
}

async function neighState(q: GatewayQuery): Promise<string | null> {
  try {
    const { stdout } = await execTool('ip', ['-j', 'neigh', 'show', q.gateway, 'dev', q.dev], 1000);
    const n = parseIpNeigh(stdout, q.dev)[0];
    return n ? (n.state[0] ?? null) : null;
  } catch {
    return null;
  }
}

export async function run(q: GatewayQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const echo = await icmp({ address: q.gateway, count: 1 }, ctx);
  const e = echo.find((o) => o.kind === 'icmp.echo');
  const echoed = e && e.kind === 'icmp.echo' && e.data.method !== 'unavailable' ? e.data.received > 0 : null;
  const state = await neighState(q);
  // A gateway that filters ICMP still answers ARP/ND: the neighbour state decides then.
  const resolved = state !== null && !['FAILED', 'INCOMPLETE'].includes(state);
  const answered = echoed === true ? true : state === 'FAILED' || state === 'INCOMPLETE' ? false : resolved ? true : echoed;
  return [observation('gateway.neighbor', { gateway: q.gateway, dev: q.dev, state, answered, method: echoed === null ? 'neigh' : 'ping' }, performance.now() - t0)];
}
