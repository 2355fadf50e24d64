/**
 * Which tunnel should carry the target (pure, over the Snapshot and the route lookups): the one
 * the route leaves through, the one whose networks (interface prefix, allowed IPs, pushed
 * routes, routes via its device) contain the target whatever the route says, or the one named
 * with `--tunnel DEV`. Also turns a tunnel into its `tunnel.state` observation.
 */
import { observation, ofKind, type Observation, type ObservationData } from '../model/observation.js';
import type { Snapshot } from '../model/snapshot.js';
import type { TunnelPeer, TunnelState } from '../model/tunnel.js';
import { linkTunnel, TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';
import { bestCover, isOverlayNetwork, prefixCovers, prefixLength } from '../model/prefix.js';

export interface SelectedTunnel {
  tunnel: TunnelState;
  source: 'running' | 'config' | 'missing';
  selectedBy: 'route' | 'network' | 'option';
  /** The tunnel network that contains the target, or null. */
  targetNetwork: string | null;
  /** The peer whose allowed IPs contain the target (WireGuard), the server (OpenVPN client), or null. */
  carrier: TunnelPeer | null;
}

/** The snapshot's tunnels (or, when not collected, its tun/tap links), each with the routes via its device added to its networks. */
export function knownTunnels(s: Snapshot): TunnelState[] {
  const links = s.links.ok ? s.links.value : [];
  const base: TunnelState[] = s.tunnels?.ok
    ? s.tunnels.value
    : links.filter((l) => l.kind !== null && TUNNEL_LINK_KINDS.has(l.kind)).map((l) => linkTunnel(l, s.tunnels && !s.tunnels.ok ? [s.tunnels.unavailable] : []));
  const routes = s.routes.ok ? s.routes.value : [];
  return base.map((t) => {
    const via = routes.filter((r) => r.type === 'unicast' && (r.dev === t.dev || r.nexthops.some((n) => n.dev === t.dev)) && isOverlayNetwork(r.dst)).map((r) => r.dst);
    return { ...t, networks: [...new Set([...t.networks, ...via].filter(isOverlayNetwork))] };
  });
}

function carrierOf(t: TunnelState, address: string | undefined): TunnelPeer | null {
  if (t.kind === 'openvpn' && t.openvpn?.mode === 'client') return t.peers[0] ?? null;
  if (!address) return null;
  let best: { p: TunnelPeer; len: number } | null = null;
  for (const p of t.peers) {
    for (const a of p.allowedIps) if (prefixCovers(a, address) && (!best || prefixLength(a) > best.len)) best = { p, len: prefixLength(a) };
  }
  return best?.p ?? null;
}

function missing(dev: string): TunnelState {
  return { kind: 'other', dev, source: 'running', link: null, mtu: null, listenPort: null, peers: [], networks: [], service: null, problems: [] };
}

/**
 * The tunnels to walk for this target, route first; at most two. `option` is `--tunnel DEV`.
 */
export function selectTunnels(s: Snapshot, observations: readonly Observation[], addresses: readonly string[], option?: string): SelectedTunnel[] {
  const tunnels = knownTunnels(s);
  const addr = addresses[0];
  const out: SelectedTunnel[] = [];
  const add = (t: TunnelState, by: SelectedTunnel['selectedBy'], source?: SelectedTunnel['source']): void => {
    if (out.some((x) => x.tunnel.dev === t.dev) || out.length >= 2) return;
    out.push({ tunnel: t, source: source ?? t.source, selectedBy: by, targetNetwork: addr ? bestCover(t.networks, addr) : null, carrier: carrierOf(t, addr) });
  };
  // A running tunnel wins over a configured one of the same name.
  const byDev = (dev: string): TunnelState | undefined => tunnels.find((t) => t.dev === dev && t.source === 'running') ?? tunnels.find((t) => t.dev === dev);
  if (option) {
    const t = byDev(option);
    if (t) add(t, 'option');
    else {
      const l = s.links.ok ? s.links.value.find((x) => x.name === option) : undefined;
      add(
        l ? { ...missing(option), link: { up: l.up, carrier: l.carrier, mtu: l.mtu, kind: l.kind, addresses: l.addresses.map((a) => `${a.address}/${a.prefixlen}`) } } : missing(option),
        'option',
        l ? 'running' : 'missing',
      );
    }
  }
  const lookups = ofKind(observations, 'route.lookup').filter((r) => addresses.includes(r.data.destination) && r.data.outcome === 'route' && r.data.dev);
  for (const r of lookups) {
    const t = byDev(r.data.dev!);
    if (t) add(t, 'route');
  }
  if (addr) {
    const inside = tunnels
      .map((t) => ({ t, cover: bestCover(t.networks, addr) }))
      .filter((x): x is { t: TunnelState; cover: string } => x.cover !== null)
      .sort((a, b) => prefixLength(b.cover) - prefixLength(a.cover) || (a.t.source === 'running' ? -1 : 1));
    for (const x of inside) add(x.t, 'network');
  }
  return out;
}

const MAX_PEERS_SHOWN = 8;

/** The `tunnel.state` observation of a selected tunnel (peers limited to the ones that matter). */
export function stateObservation(sel: SelectedTunnel): Observation<'tunnel.state'> {
  const t = sel.tunnel;
  const shown = sel.carrier ? [sel.carrier] : [...t.peers].sort((a, b) => (b.latestHandshake ?? 0) - (a.latestHandshake ?? 0)).slice(0, MAX_PEERS_SHOWN);
  const peers: ObservationData['tunnel.state']['peers'] = shown.map((p) => ({
    publicKey: p.publicKey,
    name: p.name,
    endpoint: p.endpoint ? `${p.endpoint.host.includes(':') ? `[${p.endpoint.host}]` : p.endpoint.host}:${p.endpoint.port}/${p.endpoint.proto}` : null,
    endpointName: p.endpoint?.name ?? null,
    allowedIps: p.allowedIps,
    latestHandshake: p.latestHandshake,
    rxBytes: p.rxBytes,
    txBytes: p.txBytes,
    keepaliveSec: p.keepaliveSec,
  }));
  const o = t.openvpn;
  return observation('tunnel.state', {
    dev: t.dev,
    kind: t.kind,
    source: sel.source,
    selectedBy: sel.selectedBy,
    present: t.link !== null,
    up: t.link ? t.link.up : null,
    mtu: t.link?.mtu ?? t.mtu,
    networks: t.networks,
    targetNetwork: sel.targetNetwork,
    service: t.service,
    peerCount: t.peers.length,
    peers,
    carrier: sel.carrier ? (sel.carrier.publicKey ?? sel.carrier.name) : null,
    openvpn: o
      ? { mode: o.mode, state: o.state, detail: o.stateDetail, proto: (o.activeRemote ?? o.remotes[0])?.proto ?? null, tlsAuth: o.tlsAuth, cipher: o.cipher, devType: o.devType, pingSec: o.pingSec }
      : null,
    problems: t.problems,
  });
}
