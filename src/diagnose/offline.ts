/**
 * The offline judgement (`netdx analyze SNAPSHOT --target T`): every rule that needs no probe,
 * run on a Snapshot collected elsewhere — routes, policy rules, firewall, resolv.conf, hosts,
 * interfaces, proxy variables, the gateway's neighbour entry. Names are not resolved (no packets): a name target is judged on
 * the hosts file and the route to the configured resolvers. The tunnel layer is judged on the
 * recorded tunnel state (interface, routes, allowed IPs, handshake age and counters then).
 */
import { performance } from 'node:perf_hooks';
import { reasonOf, type RowReason } from './reason.js';
import { observation, ofKind, type Observation, type ObservationData } from '../model/observation.js';
import { noTunnelReason, offlineTunnelObservations } from './tunnel.js';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Layer } from '../model/layer.js';
import * as analyze from '../analyze/index.js';
import type { EngineDeps } from './engine.js';
import { dnsConfigObservation, hostsObservation, linksObservation, proxyObservation, snapshotGatewayObservation } from './derive.js';
import { judge } from './judge.js';
import type { DiagnoseOptions } from '../model/options.js';

/** The kernel's route choice for DST as the snapshot's tables and policy rules give it. */
function routeObservation(snapshot: Snapshot, dst: string, mark = 0): ObservationData['route.lookup'] {
  const e = analyze.explainRoute(snapshot, dst, mark ? { mark } : {});
  return {
    destination: dst,
    family: dst.includes(':') ? 6 : 4,
    outcome: e.outcome,
    dev: e.dev,
    gateway: e.gateway,
    src: e.route?.src ?? null,
    table: e.table,
    route: e.route?.text ?? null,
    candidates: e.candidates,
    rules: e.rules,
  };
}

export async function analyzeSnapshot(snapshot: Snapshot, target: Target, options: DiagnoseOptions, now: Date = new Date()): Promise<Report> {
  const t0 = performance.now();
  const obs: Observation[] = [];
  for (const o of [linksObservation(snapshot), dnsConfigObservation(snapshot), hostsObservation(snapshot, target), proxyObservation(snapshot.proxyEnv, target)]) if (o) obs.push(o);
  const skips = new Map<Layer, RowReason>([
    ['transport', reasonOf(options.lang, 'skip.offlineNoPackets')],
    ['tls', reasonOf(options.lang, 'skip.offlineNoPackets')],
    ['app', reasonOf(options.lang, 'skip.offlineNoPackets')],
  ]);
  let dsts: string[] = [];
  if (target.ipFamily !== null) {
    dsts = [target.host];
    skips.set('dns', reasonOf(options.lang, 'skip.ipLiteral'));
  } else {
    const pinned = snapshot.hosts.ok ? snapshot.hosts.value.entries.find((e) => e.names.some((n) => n.toLowerCase() === target.host)) : undefined;
    if (pinned) dsts = [pinned.address];
    else {
      skips.set('dns', reasonOf(options.lang, 'skip.offlineDns'));
      dsts = snapshot.resolv.ok ? snapshot.resolv.value.nameservers : [];
    }
  }
  const evaluate = (analyze as Record<string, unknown>).firewallVerdict as EngineDeps['firewallVerdict'] | undefined;
  for (const dst of dsts) {
    const e = routeObservation(snapshot, dst);
    obs.push(observation('route.lookup', e));
    const gw = e.outcome === 'route' && e.gateway && e.dev ? snapshotGatewayObservation(snapshot, e.gateway, e.dev) : null;
    if (gw && !ofKind(obs, 'gateway.neighbor').some((g) => g.data.gateway === e.gateway)) obs.push(gw);
    const v = evaluate?.(snapshot, {
      chain: 'OUTPUT',
      proto: target.port !== null ? 'tcp' : dst.includes(':') ? 'icmpv6' : 'icmp',
      src: e.src,
      dst,
      dport: target.port,
      ...(e.dev ? { oif: e.dev } : {}),
    });
    if (v) obs.push(observation('firewall.verdict', v));
    // A verdict the evaluator cannot reach because of a rule it cannot decide (before a DROP policy)
    // is no pass: without packets nothing else shows the flow getting out, so the layer is unknown.
    // (A firewall the snapshot could not read names no rule: that stays a note of the verdict.)
    if (v?.verdict === 'UNKNOWN' && v.rule) {
      const flow = `${v.proto.toUpperCase()} to ${dst.includes(':') ? `[${dst}]` : dst}${v.dport !== null ? `:${v.dport}` : ''}`;
      obs.push(
        observation('check.unknown', {
          layer: 'network',
          check: 'firewall evaluation',
          reason: `the local firewall's verdict for ${flow} cannot be decided: ${v.reason ?? 'a rule netdx cannot evaluate'}${v.rule ? ` [${v.rule.text}]` : ''}`,
        }),
      );
    }
  }
  // The tunnel layer as the snapshot recorded it: which tunnel carries the target, its state, its
  // handshake then. Ages are counted from the moment the snapshot was taken, not from now.
  const taken = Date.parse(snapshot.collectedAt);
  const then = Number.isFinite(taken) ? new Date(taken) : now;
  const tunnelObs = offlineTunnelObservations(snapshot, obs, dsts, options.tunnel, Math.floor(then.getTime() / 1000), {
    route: routeObservation,
    ...(evaluate ? { firewallVerdict: evaluate } : {}),
  });
  obs.push(...tunnelObs);
  if (tunnelObs.length === 0) {
    skips.set('tunnel', noTunnelReason(snapshot, options.lang));
  } else {
    // Recorded state only: a tunnel layer with no finding did not pass, it was not probed.
    skips.set('tunnel', reasonOf(options.lang, 'skip.offlineTunnel'));
  }
  const report = judge({
    target,
    options,
    observations: obs,
    snapshot,
    startedAt: now,
    durationMs: performance.now() - t0,
    layerMs: () => 0,
    skips,
    addresses: dsts,
    now: then,
  });
  return { ...report, snapshot: { hostname: snapshot.hostname, collectedAt: snapshot.collectedAt } };
}
