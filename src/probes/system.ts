/**
 * What the system resolver returns: getaddrinfo (hosts file, nsswitch, resolv.conf, in that
 * machine's order), run as `getent ahosts NAME` in a child process. A getaddrinfo call inside
 * node cannot be cancelled, and node's exit waits for libuv's thread pool (libuv#364): a dead
 * resolver would hold the process for resolv.conf's timeout × attempts after the report. A child
 * is killed at the deadline instead. Without getent, node's dns.lookup is the fallback.
 */
import { defaultExec } from '../system/exec.js';
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { errCode, onAbort, round1 } from './abort.js';
import type { ProbeContext } from './types.js';

type SystemData = ObservationData['dns.system'];

/** At most this many addresses are kept (a hosts file can list many). */
const MAX_ADDRESSES = 64;

/** Parses `getent ahosts` output: one line per address and socket type; keeps the first-seen order. */
export function parseGetentAhosts(text: string): SystemData['addresses'] {
  const out: SystemData['addresses'] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n').slice(0, 10_000)) {
    const addr = line.trim().split(/\s+/)[0];
    if (!addr || seen.has(addr) || !/^[0-9a-fA-F:.]+$/.test(addr)) continue;
    seen.add(addr);
    out.push({ address: addr, family: addr.includes(':') ? 6 : 4 });
    if (out.length >= MAX_ADDRESSES) break;
  }
  return out;
}

async function getent(name: string, ctx: ProbeContext): Promise<{ code: number | null; stdout: string; missing: boolean; aborted: boolean }> {
  // The probe's signal kills it when the budget is spent (a resolver that never answers).
  const r = await defaultExec('getent', ['ahosts', name], { signal: ctx.signal, timeoutMs: Math.max(1, Math.round(ctx.budgetMs)) });
  const aborted = r.failure === 'timeout';
  return { code: r.code, stdout: r.stdout.slice(0, 1 << 20), missing: r.failure === 'ENOENT', aborted };
}

async function viaLookup(name: string, ctx: ProbeContext): Promise<Omit<SystemData, 'ms'>> {
  let detach = (): void => {};
  const timeout = new Promise<'timeout'>((res) => {
    detach = onAbort(ctx.signal, () => res('timeout'));
  });
  try {
    const r = ctx.signal.aborted ? 'timeout' : await Promise.race([lookup(name, { all: true, verbatim: true }), timeout]);
    if (r === 'timeout') return { name, addresses: [], error: 'TIMEOUT' };
    return { name, addresses: r.slice(0, MAX_ADDRESSES).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })), error: null };
  } catch (err) {
    return { name, addresses: [], error: errCode(err) ?? 'ERROR' };
  } finally {
    detach();
  }
}

export async function run(name: string, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  let data: Omit<SystemData, 'ms'>;
  const r = ctx.signal.aborted ? { code: null, stdout: '', missing: false, aborted: true } : await getent(name, ctx);
  if (r.missing) data = await viaLookup(name, ctx);
  else if (r.aborted) data = { name, addresses: [], error: 'TIMEOUT' };
  else {
    const addresses = parseGetentAhosts(r.stdout);
    // getent: 0 found, 2 not found (NXDOMAIN, no data, or no resolver answered).
    data = addresses.length > 0 ? { name, addresses, error: null } : { name, addresses: [], error: r.code === 2 ? 'ENOTFOUND' : `getent exit ${String(r.code)}` };
  }
  const ms = performance.now() - t0;
  return [observation('dns.system', { ...data, ms: round1(ms) }, ms)];
}
