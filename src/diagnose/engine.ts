/**
 * The diagnosis engine: plan → observe (layer by layer, each with its budget) → judge → rank → Report.
 * Independent probes run in parallel; every probe gets an RTT-derived budget; a layer above a
 * hard failure is skipped, not probed into noise. All side effects come through `EngineDeps`,
 * so the engine itself is tested with fakes. The phases live in ./walk.ts as functions with plain
 * data between them; `diagnose()` is the one-call walk. For many targets in one process (one
 * shared snapshot, a cheap check first, a concurrency cap) see ./batch.ts.
 */
import type { Layer } from '../model/layer.js';
import { reasonOf, type RowReason } from './reason.js';
import { ofKind, type Observation } from '../model/observation.js';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';
import type { DiagnoseOptions } from '../model/options.js';
import { budgets } from './budget.js';
import type { EngineDeps, ProgressFn } from './deps.js';
import {
  blameLocalFirewall,
  clockObservation,
  completeSnapshot,
  finish,
  lookupRoutes,
  observeApp,
  observeExtras,
  observeHostAndDns,
  observeNetwork,
  observePath,
  observeTls,
  observeTunnel,
  openConnection,
  pathTracer,
  plan,
  planNetwork,
  startWalk,
} from './walk.js';

export type { EngineDeps, FirewallFlow, ProgressFn, TlsQuery } from './deps.js';
export { handshakeSuspect, pathSuspect } from './suspect.js';

/** One target, the whole walk: the wrapper every caller used so far (CLI, monitor, tests). */
export async function diagnose(target: Target, options: DiagnoseOptions, deps: EngineDeps, progress: ProgressFn = () => {}): Promise<Report> {
  const p = plan(target, options);
  const w = startWalk(p, deps, progress);
  const obs: Observation[] = [];
  const skips = new Map<Layer, RowReason>();

  const hdP = observeHostAndDns(w);
  let net: Awaited<ReturnType<typeof observeNetwork>> | undefined;
  let np: ReturnType<typeof planNetwork> | undefined;
  // An address target needs no name resolution: its probes send at once, while the snapshot is collected.
  if (!p.isName) {
    np = planNetwork(p, null, [target.host], []);
    const routes = lookupRoutes(w, np);
    const prior = hdP.then((h) => h.observations);
    // Should the snapshot fail, the error reaches the caller once (through the snapshot); this second view of it stays quiet.
    prior.catch(() => undefined);
    net = await observeNetwork(
      w,
      np,
      hdP.then((h) => h.snapshot),
      prior,
      budgets(null, options.timeoutMs),
      routes,
    );
  }
  const hd = await hdP;
  const { snapshot, addresses } = hd;
  obs.push(...hd.observations);
  if (hd.dnsSkip) skips.set('dns', hd.dnsSkip);
  let b = hd.budgets;

  np ??= planNetwork(p, snapshot, addresses, obs);
  const { primaryAddr } = np;
  net ??= await observeNetwork(w, np, snapshot, obs, b);
  obs.push(...net.observations, ...net.tcp);
  const { hardFail } = net;
  if (primaryAddr && !hardFail) obs.push(...(await blameLocalFirewall(primaryAddr, target.port, snapshot, obs, deps, b)));
  const tracer = pathTracer(w, primaryAddr ? { address: primaryAddr, port: target.port } : null, hardFail);
  obs.push(...(await observePath(tracer, np, hardFail, obs, b)));

  const tunnel = await observeTunnel(w, snapshot, obs, addresses);
  obs.push(...tunnel.observations);
  if (tunnel.skip) skips.set('tunnel', tunnel.skip);

  const open = openConnection(net.tcp, primaryAddr);
  if (open) b = budgets(open.data.ms, options.timeoutMs);
  if (p.wantsTls && open) obs.push(...(await observeTls(w, open, tracer, obs, b)));
  else if (p.wantsTls) skips.set('tls', reasonOf(options.lang, target.port === null ? 'skip.noPort' : 'skip.noTcpForTls'));
  else skips.set('tls', reasonOf(options.lang, 'skip.notTls'));
  if (open) obs.push(...(await observeExtras(w, open)));

  const tlsOk = ofKind(obs, 'tls.handshake').some((h) => h.data.outcome === 'ok' || h.data.outcome === 'verify-failed');
  if ((target.protocol === 'http' && open) || (target.protocol === 'https' && open && tlsOk)) obs.push(...(await observeApp(w, open!, obs, b)));
  else if (target.protocol === 'http' || target.protocol === 'https') skips.set('app', reasonOf(options.lang, 'skip.noConnection'));
  else if (!options.heartbeat) skips.set('app', reasonOf(options.lang, 'skip.noAppCheck'));

  const clock = clockObservation(obs, deps.now());
  if (clock) obs.push(clock);
  for (const [layer, why] of lowerSkips(p.isName, target.port, np, hardFail)) skips.set(layer, reasonOf(options.lang, why));
  return finish(w, { observations: obs, snapshot: await completeSnapshot(deps, snapshot, obs), skips, addresses });
}

/** Transport and network rows that were not walked, and why (message keys). */
function lowerSkips(
  isName: boolean,
  port: number | null,
  np: { primaryAddr: string | undefined; dnsDead: boolean },
  hardFail: boolean,
): Array<[Layer, 'skip.noPort' | 'skip.noAddress' | 'skip.networkFailed' | 'skip.noProbeAddress']> {
  const out: Array<[Layer, 'skip.noPort' | 'skip.noAddress' | 'skip.networkFailed' | 'skip.noProbeAddress']> = [];
  if (port === null) out.push(['transport', 'skip.noPort']);
  else if (!np.primaryAddr) out.push(['transport', 'skip.noAddress']);
  else if (hardFail) out.push(['transport', 'skip.networkFailed']);
  if (!np.primaryAddr && !np.dnsDead && isName) out.push(['network', 'skip.noProbeAddress']);
  return out;
}
