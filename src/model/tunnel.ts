/**
 * Tunnel state (the `tunnels` part of the Snapshot): what the machine's own VPN software says
 * about each overlay — WireGuard (`wg show all dump`, /etc/wireguard/*.conf), OpenVPN (the running
 * process's config, its status file and management interface) and any other tun/tap/wireguard
 * link that no collector claims (a virtual-LAN product's adapter). Secrets are never stored:
 * no private or preshared key, no password.
 */

export type TunnelKind = 'wireguard' | 'openvpn' | 'other';

/** Where a tunnel's server (or peer) is reached over the underlay. */
export interface TunnelEndpoint {
  /** An IP literal or a host name, as configured / reported. */
  host: string;
  port: number;
  proto: 'udp' | 'tcp';
  /** The configured host name when `host` is the address it resolved to (wg-quick Endpoint = name:port). */
  name?: string;
}

export interface TunnelPeer {
  /** WireGuard public key; null for OpenVPN. */
  publicKey: string | null;
  /** A human name when the software has one (OpenVPN common name / 'server'). */
  name: string | null;
  endpoint: TunnelEndpoint | null;
  /** Networks this peer carries (WireGuard AllowedIPs), normalized prefixes. */
  allowedIps: string[];
  /** Unix seconds of the latest completed handshake; 0 = never; null = not known. */
  latestHandshake: number | null;
  rxBytes: number | null;
  txBytes: number | null;
  /** Persistent keepalive (WireGuard) / ping interval (OpenVPN) in seconds; null = off or not known. */
  keepaliveSec: number | null;
}

export interface TunnelLink {
  up: boolean;
  carrier: boolean | null;
  mtu: number | null;
  /** `ip` link kind: 'tun', 'tap', 'wireguard', … */
  kind: string | null;
  /** Interface addresses as prefixes ('100.96.0.2/24'). */
  addresses: string[];
}

export interface OpenVpnInfo {
  mode: 'client' | 'server';
  pid: number | null;
  configFile: string | null;
  /** Every `remote` of the config (the client tries them in order). */
  remotes: TunnelEndpoint[];
  /** The remote it is connected (or connecting) to, when the management interface says so. */
  activeRemote: TunnelEndpoint | null;
  devType: 'tun' | 'tap';
  /** Data-channel cipher in use (management/log) or configured (`cipher`, first of `data-ciphers`). */
  cipher: string | null;
  /** HMAC digest for non-AEAD ciphers (`auth`), default SHA1. */
  auth: string | null;
  /** tls-auth / tls-crypt / tls-crypt-v2 configured: the server answers only authenticated packets. */
  tlsAuth: boolean;
  compress: boolean;
  /** Management interface state ('CONNECTED', 'WAIT', 'RECONNECTING', …) and its detail. */
  state: string | null;
  stateDetail: string | null;
  /** Unix seconds of the state change. */
  stateSince: number | null;
  /** TCP/UDP read/write bytes (underlay counters) from the status file or management. */
  linkReadBytes: number | null;
  linkWriteBytes: number | null;
  statusFile: string | null;
  /** 'tcp 127.0.0.1 7505' / 'unix /run/…' when configured. */
  management: string | null;
  /** Pushed or configured routes ('100.98.0.0/24'). */
  routes: string[];
  /** `ping` / `keepalive` interval in seconds (configured or pushed). */
  pingSec: number | null;
  pingRestartSec: number | null;
}

export interface TunnelState {
  kind: TunnelKind;
  /** Interface name (wg0, tun0). For a configured OpenVPN tunnel without a fixed name, the config's `dev` ('tun'). */
  dev: string;
  /** 'running': read from the live software; 'config': only a config file names it (service not running). */
  source: 'running' | 'config';
  /** The link as `ip` shows it in this network namespace; null when the interface does not exist here. */
  link: TunnelLink | null;
  /** The tunnel's own MTU setting (WireGuard MTU=, OpenVPN tun-mtu), when configured. */
  mtu: number | null;
  listenPort: number | null;
  /** The firewall mark on the tunnel's own packets (WireGuard fwmark; wg-quick's full tunnel routes by it), when set. */
  fwmark?: number | null;
  peers: TunnelPeer[];
  /** Overlay networks: interface prefixes, allowed IPs, pushed/configured routes (no /0). */
  networks: string[];
  /** A unit that brings it up ('wg-quick@wg0', 'openvpn-client@office'), when known. */
  service: string | null;
  openvpn?: OpenVpnInfo;
  /** Things that could not be read or were ignored, one clear line each (never fatal). */
  problems: string[];
}
