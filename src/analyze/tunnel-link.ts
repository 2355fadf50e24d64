/** Tunnel links as the tunnel state shows them (pure): link kinds that carry an overlay, a link's view, a link no collector claims. */
import type { Link } from '../model/snapshot.js';
import type { TunnelState } from '../model/tunnel.js';
import { isOverlayNetwork, networkOf } from '../model/prefix.js';

/** Link kinds that carry an overlay. */
export const TUNNEL_LINK_KINDS: ReadonlySet<string> = new Set(['tun', 'tap', 'wireguard', 'vxlan', 'gre', 'gretap', 'ipip', 'sit', 'ip6tnl', 'ip6gre', 'geneve']);

export function tunnelLink(l: Link | undefined): TunnelState['link'] {
  if (!l) return null;
  return { up: l.up, carrier: l.carrier, mtu: l.mtu, kind: l.kind, addresses: l.addresses.map((a) => `${a.address}/${a.prefixlen}`) };
}

/** A tunnel link that no collector read (another product's adapter, or wg not readable): its networks are its prefixes. */
export function linkTunnel(l: Link, problems: string[]): TunnelState {
  return {
    kind: l.kind === 'wireguard' ? 'wireguard' : 'other',
    dev: l.name,
    source: 'running',
    link: tunnelLink(l),
    mtu: null,
    listenPort: null,
    peers: [],
    networks: [
      ...new Set(
        l.addresses
          .filter((a) => a.scope !== 'link' && a.scope !== 'host')
          .map((a) => networkOf(`${a.address}/${a.prefixlen}`))
          .filter((n): n is string => n !== null && isOverlayNetwork(n)),
      ),
    ],
    service: null,
    problems,
  };
}
