/**
 * The Snapshot: everything the collectors read from the machine, as one serializable object.
 * `netdx collect > snap.json` on a broken machine and `netdx analyze snap.json` elsewhere
 * give the same judgement for the non-probe part.
 */

import type { TunnelState } from './tunnel.js';

export type { TunnelState } from './tunnel.js';

/** A collector result: the value, or why it could not be read (tool missing, permission). */
export type Collected<T> = { ok: true; value: T } | { ok: false; unavailable: string };

export interface Address {
  family: 4 | 6;
  address: string;
  prefixlen: number;
  scope: string; // 'global' | 'link' | 'host'
  dynamic?: boolean;
  /** The peer address of a point-to-point address (`ip addr add A peer B`), when set. */
  peer?: string;
}

export interface Link {
  name: string;
  index: number;
  /** Administratively up (flag UP). */
  up: boolean;
  /** LOWER_UP (carrier) flag; null when unknown. */
  carrier: boolean | null;
  operstate: string; // 'UP' | 'DOWN' | 'UNKNOWN' | …
  mtu: number | null;
  /** linkinfo.info_kind: 'veth', 'tun', 'wireguard', 'bridge', … ; 'loopback' for lo; null when not reported. */
  kind: string | null;
  loopback: boolean;
  mac: string | null;
  master: string | null;
  addresses: Address[];
}

export interface Nexthop {
  gateway: string | null;
  dev: string | null;
  weight: number | null;
}

export interface Route {
  family: 4 | 6;
  /** Table name as ip prints it ('main', 'local', 'default') or the number as a string. */
  table: string;
  /** 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'multicast' | 'anycast' | 'nat' */
  type: string;
  /** Normalized prefix: '0.0.0.0/0' / '::/0' for default, 'a.b.c.d/32' for a host route. */
  dst: string;
  gateway: string | null;
  dev: string | null;
  src: string | null;
  metric: number | null;
  protocol: string | null;
  scope: string | null;
  /** Multipath next hops (empty for a single-path route). */
  nexthops: Nexthop[];
  /** The route as `ip route` would print it (re-usable in `ip route del …`). */
  text: string;
  /** Route flags as ip prints them: 'onlink', 'linkdown' (the device has no carrier), 'dead', … */
  flags?: string[];
  /** IPv6 source-specific routing selector (`from PREFIX`), normalized. */
  from?: string;
  /** TOS selector ('0x10'). */
  tos?: string;
  /** IPv6 router preference ('medium', 'high', 'low'). */
  pref?: string;
  /** Nexthop object id (`nhid N`) when the route uses the nexthop API. */
  nhid?: number;
}

/** What `ip -j route get` answers: the route the kernel would use for one destination. */
export interface RouteGetResult {
  family: 4 | 6;
  /** 'unicast' | 'local' | 'broadcast' | 'multicast' … */
  type: string;
  /** The destination address asked about. */
  dst: string;
  /** The `from` of the query (IPv6 prints '::' when none was given); null when absent. */
  from: string | null;
  gateway: string | null;
  dev: string | null;
  /** Preferred source address the kernel picked (prefsrc). */
  src: string | null;
  /** The table that answered ('main' when ip does not print one). */
  table: string;
  protocol: string | null;
  metric: number | null;
  /** The fwmark of the query, when given. */
  mark: number | null;
  /** The input interface of the query (`iif`), when given. */
  iif: string | null;
  flags: string[];
  /** Route cache flags ('local', 'brd', …). */
  cache: string[];
  /** One line as `ip route get` prints it (without the cache line). */
  text: string;
}

/** Why `ip route get` found no usable route, from the kernel's error. */
export type RouteGetErrorKind = 'no-route' | 'blackhole' | 'unreachable' | 'prohibit' | 'error';

export interface PolicyRule {
  family: 4 | 6;
  priority: number;
  /** Source / destination selectors as prefixes, or null for 'all'. */
  src: string | null;
  dst: string | null;
  /** 'to_tbl' (lookup TABLE) | 'blackhole' | 'unreachable' | 'prohibit' | 'goto' | 'nop' */
  action: string;
  table: string | null;
  fwmark: string | null; // '0x1/0xff' as ip prints
  iif: string | null;
  oif: string | null;
  not: boolean;
  /** The rule as `ip rule` prints it after "PRIORITY:" (re-usable in `ip rule del …`). */
  text: string;
  /** `goto N`: the priority jumped to. */
  goto?: number;
  /** `suppress_prefixlength N`: lookups yielding a prefix this short or shorter are ignored. */
  suppressPrefixlen?: number;
  /** Selectors this type does not model, as ip prints them: 'tos 0x10', 'ipproto tcp', 'dport 443', 'uidrange 1000-2000', … */
  other?: string[];
}

export interface Neighbor {
  family: 4 | 6;
  address: string;
  dev: string;
  lladdr: string | null;
  /** e.g. ['REACHABLE'], ['STALE'], ['FAILED'], ['INCOMPLETE'], ['PERMANENT'] */
  state: string[];
  router: boolean;
}

export interface ResolvConf {
  path: string;
  nameservers: string[];
  search: string[];
  options: { timeout: number; attempts: number; rotate: boolean; ndots: number; other: string[] };
  /** Lines that could not be understood, with line numbers (never fatal). */
  ignored: Array<{ line: number; text: string; reason?: string }>;
}

export interface HostsEntry {
  line: number;
  address: string;
  names: string[];
  text: string;
}

/** /etc/hosts: the entries glibc uses, and the lines it skips. */
export interface HostsFile {
  path: string;
  entries: HostsEntry[];
  /** Lines with text that glibc skips (not an address, no name), with line numbers. */
  ignored?: Array<{ line: number; text: string; reason: string }>;
}

/** The `hosts:` line of nsswitch.conf. */
export interface NsswitchHosts {
  path: string;
  /** Sources and actions in order, e.g. ['files', 'mdns4_minimal', '[NOTFOUND=return]', 'dns']. */
  hosts: string[];
  /** Line number of the hosts line; absent when the file has none and glibc's default applies. */
  line?: number;
  /** True when there is no hosts line and `hosts` is glibc's default. */
  defaulted?: boolean;
}

export interface ListeningSocket {
  proto: 'tcp' | 'udp';
  local: string; // address as ss prints it: '0.0.0.0', '[::]', '*', '127.0.0.53%lo'
  port: number;
  process: string | null;
  /** The pid of the first process holding the socket, when ss shows it (root or own processes). */
  pid?: number;
}

export interface Snapshot {
  schema: 'netdx.snapshot/v1';
  collectedAt: string;
  hostname: string;
  kernel: string;
  /** Effective uid; 0 = root. */
  uid: number;
  links: Collected<Link[]>;
  routes: Collected<Route[]>;
  rules: Collected<PolicyRule[]>;
  neighbors: Collected<Neighbor[]>;
  resolv: Collected<ResolvConf>;
  hosts: Collected<HostsFile>;
  nsswitch: Collected<NsswitchHosts>;
  firewall: {
    /** Raw `iptables-save` / `ip6tables-save` text (all tables); parsed by src/analyze. */
    iptables: Collected<string>;
    ip6tables: Collected<string>;
    /** `nft -j list ruleset` as parsed JSON. */
    nft: Collected<unknown>;
    /** `ufw status verbose` text, when ufw is installed. */
    ufw: Collected<string>;
    /** `ipset save` text, when ipset is installed (lets src/analyze resolve `-m set` matches). */
    ipset?: Collected<string>;
  };
  /** Keys like 'net.ipv4.ip_forward'. */
  sysctls: Collected<Record<string, string>>;
  listening: Collected<ListeningSocket[]>;
  /** http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY … as set in the environment. */
  proxyEnv: Record<string, string>;
  time: { local: string; timezone: string; ntpSynchronized: boolean | null };
  /** VPN / overlay state (WireGuard, OpenVPN, other tun/tap links): `collectTunnels()` in ./tunnel.ts. */
  tunnels?: Collected<TunnelState[]>;
}

export function value<T>(c: Collected<T>): T | null {
  return c.ok ? c.value : null;
}
