/**
 * What one agent saw on the way to a target, as comparable facts: the route (next hop and
 * interface) of every address the diagnosis looked up, the resolver's answer, where the path went
 * silent, the TLS chain, the path MTU, the gateway's answer. Two agents with the same fact saw the
 * same thing; the correlator looks for facts the failing agents share and the healthy ones lack.
 * Pure: a report in, a map out.
 */
import type { Report } from '../model/report.js';
import type { ObservationData } from '../model/observation.js';

/** A fact: `key` names what was looked at (stable across agents), `value` what this agent saw. */
export interface Feature {
  key: string;
  /** What kind of fact, for the comparison's columns. */
  kind: 'route' | 'dns' | 'path' | 'tls' | 'mtu' | 'gateway' | 'tunnel';
  value: string;
}

type Obs<K extends keyof ObservationData> = { kind: K; data: ObservationData[K] };

function* of<K extends keyof ObservationData>(r: Report, kind: K): Generator<ObservationData[K]> {
  for (const o of r.observations) if (o.kind === kind && o.data && typeof o.data === 'object') yield (o as unknown as Obs<K>).data;
}

function routeValue(d: ObservationData['route.lookup']): string {
  if (d.outcome !== 'route') return d.outcome;
  const via = d.gateway ? `via ${d.gateway} dev ${d.dev ?? '?'}` : `dev ${d.dev ?? '?'}`;
  return d.table && d.table !== 'main' ? `${via} table ${d.table}` : via;
}

function pathValue(d: ObservationData['trace.path']): string | null {
  const p = d.paths[0];
  if (!p || d.method === 'unavailable') return null;
  if (p.reached) return `reached in ${p.hops.length} hops`;
  let last: { ttl: number; addr: string } | null = null;
  for (const h of p.hops) if (h.addr) last = { ttl: h.ttl, addr: h.addr };
  return last ? `silent after hop ${last.ttl} (${last.addr})` : 'silent from hop 1';
}

function tlsValue(d: ObservationData['tls.handshake']): string {
  const leaf = d.chain[0];
  if (!leaf) return d.outcome === 'ok' ? 'ok, no chain' : d.outcome;
  return `${d.outcome}: ${leaf.commonName ?? leaf.subject} issued by ${leaf.issuer} ${leaf.fingerprint256.slice(0, 23)}`;
}

/** The facts of one report (at most one value per key; the first observation wins). */
export function features(r: Report): Feature[] {
  const out = new Map<string, Feature>();
  const put = (f: Feature | null): void => {
    if (f && !out.has(f.key)) out.set(f.key, f);
  };
  for (const d of of(r, 'route.lookup')) put({ key: `route to ${d.destination}`, kind: 'route', value: routeValue(d) });
  for (const d of of(r, 'dns.system'))
    put({
      key: `dns ${d.name}`,
      kind: 'dns',
      value:
        d.error ??
        (d.addresses
          .map((a) => a.address)
          .sort()
          .join(' ') ||
          'no address'),
    });
  for (const d of of(r, 'trace.path')) {
    const v = pathValue(d);
    if (v) put({ key: `path to ${d.target}`, kind: 'path', value: v });
  }
  for (const d of of(r, 'tls.handshake')) put({ key: `tls ${d.address}:${d.port}`, kind: 'tls', value: tlsValue(d) });
  for (const d of of(r, 'pmtu.search')) if (d.method !== 'unavailable' && d.largestPass !== null) put({ key: `path mtu to ${d.target}`, kind: 'mtu', value: String(d.largestPass) });
  for (const d of of(r, 'gateway.neighbor'))
    put({ key: `gateway ${d.gateway} dev ${d.dev}`, kind: 'gateway', value: d.answered === null ? 'not tested' : d.answered ? 'answers' : `silent (${d.state ?? 'no entry'})` });
  for (const d of of(r, 'tunnel.endpoint')) put({ key: `tunnel ${d.dev} endpoint ${d.host}:${d.port}`, kind: 'tunnel', value: `${d.address ?? 'unresolved'} ${d.probe.outcome}` });
  return [...out.values()];
}
