/**
 * Gateway check: does the next hop answer? One quick echo to it (which also makes the kernel
 * resolve its link-layer address), then its neighbour state (`ip -j neigh show ADDR`, the entry
 * on DEV). A gateway that filters ICMP still answers ARP/ND: a fresh REACHABLE entry says it is
 * there; an entry absent, INCOMPLETE or FAILED after the echo says it did not answer.
 */
import { ipFamily } from '../model/prefix.js';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { defaultExec, execProblem, type ExecFn } from '../system/exec.js';
import { parseNeighbors } from '../system/parse/neigh.js';
import { run as icmp, type IcmpDeps } from './icmp.js';
import { firstLine } from './abort.js';
import type { ProbeContext } from './types.js';

export interface GatewayQuery {
  gateway: string;
  dev: string;
}

/** Seams for tests. */
export interface GatewayDeps {
  exec: ExecFn;
  icmp?: IcmpDeps;
}

type Neighbor = ObservationData['gateway.neighbor'];

/** The neighbour state of ADDR on DEV: the state, null when there is no entry, or an error text. */
export async function neighState(q: GatewayQuery, exec: ExecFn = defaultExec): Promise<{ state: string | null } | { error: string }> {
  const r = await exec('ip', ['-j', 'neigh', 'show', q.gateway], { timeoutMs: 1000 });
  const problem = execProblem('ip', r, 1000);
  if (problem) return { error: problem };
  try {
    const n = parseNeighbors(r.stdout).find((x) => x.dev === q.dev);
    return { state: n ? (n.state[0] ?? null) : null };
  } catch (err) {
    return { error: firstLine(err, 200) };
  }
}

const UNANSWERED = new Set(['FAILED', 'INCOMPLETE']);

/**
 * The verdict from the echo (true: a reply, false: none, null: could not ping) and the neighbour
 * state after it. Pure.
 */
export function judgeGateway(echo: boolean | null, neigh: { state: string | null } | { error: string }): Pick<Neighbor, 'state' | 'answered' | 'method'> & { reason?: string } {
  const state = 'state' in neigh ? neigh.state : null;
  if (echo === true) return { state, answered: true, method: 'ping' };
  if ('error' in neigh)
    return echo === false
      ? { state, answered: false, method: 'ping', reason: `no echo reply; neighbour table unreadable: ${neigh.error}` }
      : { state, answered: null, method: 'none', reason: `no echo and no neighbour table: ${neigh.error}` };
  if (state === 'REACHABLE') return { state, answered: true, method: 'neigh' };
  if (state !== null && UNANSWERED.has(state)) return { state, answered: false, method: echo === null ? 'neigh' : 'ping' };
  if (echo === false) {
    // An entry absent after an echo: the kernel asked and nothing answered. A static or stale entry proves nothing.
    return state === null ? { state, answered: false, method: 'ping' } : { state, answered: null, method: 'ping', reason: `no echo reply; neighbour entry ${state} does not confirm the gateway` };
  }
  return { state, answered: null, method: 'neigh', reason: state === null ? 'could not ping and no neighbour entry' : `could not ping; neighbour entry ${state} does not confirm the gateway` };
}

export async function run(q: GatewayQuery, ctx: ProbeContext, deps: GatewayDeps = { exec: defaultExec }): Promise<Observation[]> {
  const t0 = performance.now();
  // A link-local gateway needs its interface.
  const target = q.gateway.toLowerCase().startsWith('fe80:') && !q.gateway.includes('%') ? `${q.gateway}%${q.dev}` : q.gateway;
  let echoed: boolean | null = null;
  let pingReason: string | undefined;
  if (ipFamily(target) !== null) {
    const echo = (await icmp({ address: target, count: 1 }, ctx, deps.icmp)).find((o): o is Observation<'icmp.echo'> => o.kind === 'icmp.echo');
    if (echo && echo.data.method !== 'unavailable') echoed = echo.data.received > 0;
    else pingReason = echo?.data.reason;
  }
  const neigh = await neighState(q, deps.exec);
  const v = judgeGateway(echoed, neigh);
  const data: Neighbor = { gateway: q.gateway, dev: q.dev, state: v.state, answered: v.answered, method: v.method };
  const reason = [v.reason, pingReason ? `ping: ${pingReason}` : undefined].filter(Boolean).join('; ');
  if (reason) data.reason = reason;
  return [observation('gateway.neighbor', data, performance.now() - t0)];
}
