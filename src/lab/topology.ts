/**
 * The lab's network, as data: hosts (network namespaces), links (veth pairs, optionally a port of
 * a bridge), addresses, routes, sysctls and the baseline firewall of each host; the script
 * functions turn it into shell scripts run inside each host. Addresses come only from the lab
 * ranges of lab.md: 198.51.100.0/24, 203.0.113.0/24, 100.64.0.0/10, 2001:db8::/32. The map is in
 * README.md.
 */

export const HOSTS = ['client', 'client2', 'gw', 'gw2', 'wrong', 'hk', 'core', 'srv', 'dns', 'br1', 'br2', 'far'] as const;
export type Host = (typeof HOSTS)[number];

export const isHost = (s: string): s is Host => (HOSTS as readonly string[]).includes(s);

/** One end of a veth pair: host, interface name, addresses (CIDR), and optionally the bridge it joins. */
export interface LinkEnd {
  host: Host;
  dev: string;
  addrs: string[];
  bridge?: string;
}

export interface Link {
  a: LinkEnd;
  b: LinkEnd;
}

export interface HostSpec {
  /** Bridges created in this host: name → addresses on the bridge. */
  bridges?: Record<string, string[]>;
  /** `ip route add …` arguments (IPv4 and IPv6; the family follows from the prefix/gateway). */
  routes: string[];
  router: boolean;
  /** Source NAT of a LAN out of an uplink (the gateway routers). */
  nat?: { out: string; src: string };
  /** Addresses on the loopback interface (a service address reachable over several links). */
  loopback?: string[];
  /** Extra sysctls of this namespace (`net.ipv4.fib_multipath_hash_policy` …). */
  sysctls?: Record<string, string>;
}

/** Well-known addresses of the lab, used by services, scenarios and the zone. */
export const ADDR = {
  client: '100.64.1.10',
  client6: '2001:db8:1::10',
  gwLan: '100.64.1.1',
  gwLan6: '2001:db8:1::1',
  client2: '100.64.2.10',
  client26: '2001:db8:2::10',
  gw2Lan: '100.64.2.1',
  gw2Lan6: '2001:db8:2::1',
  wrongLan: '100.64.2.254',
  wrongLan6: '2001:db8:2::254',
  gwUp: '198.51.100.9',
  coreGw: '198.51.100.10',
  gw2Up: '198.51.100.17',
  coreGw2: '198.51.100.18',
  wrongUp: '198.51.100.25',
  /** Shanghai's second uplink: client2's eth1 straight to the HK ISP line's router (a second ISP). */
  client2Isp2: '100.64.3.10',
  wrongIsp2: '100.64.3.1',
  hk: '198.51.100.26',
  coreSrv: '203.0.113.1',
  coreSrv6: '2001:db8:20::1',
  coreDns: '203.0.113.33',
  coreDns6: '2001:db8:30::1',
  ns1: '203.0.113.35',
  ns2: '203.0.113.36',
  ns16: '2001:db8:30::35',
  ns26: '2001:db8:30::36',
  // The balanced server path (IPv4): core ⇉ br1 | br2 → far, hashed per flow (L4) in the core.
  coreMp1: '198.51.100.41',
  br1Up: '198.51.100.42',
  coreMp2: '198.51.100.49',
  br2Up: '198.51.100.50',
  br1Far: '198.51.100.57',
  farBr1: '198.51.100.58',
  br2Far: '198.51.100.65',
  farBr2: '198.51.100.66',
  /** The service behind both branches (on far's loopback): mp.lab.test. */
  mp: '203.0.113.50',
} as const;

/** The prefix the core balances over br1 and br2. */
export const MP_NET = '203.0.113.48/28';

/**
 * The server host's service addresses: one name and address per service, so that each TLS
 * flavour answers on port 443 of its own name, as it would in the field.
 */
export const SERVICES = {
  www: { v4: '203.0.113.10', v6: '2001:db8:20::10' },
  expired: { v4: '203.0.113.11' },
  future: { v4: '203.0.113.12' },
  wrongname: { v4: '203.0.113.13' },
  self: { v4: '203.0.113.14' },
  nochain: { v4: '203.0.113.15' },
  mtls: { v4: '203.0.113.16' },
  old: { v4: '203.0.113.17' },
  tls13: { v4: '203.0.113.18' },
  soon: { v4: '203.0.113.19' },
  api: { v4: '203.0.113.20', v6: '2001:db8:20::20' },
  hb: { v4: '203.0.113.21', v6: '2001:db8:20::21' },
  mute: { v4: '203.0.113.22' },
  skew: { v4: '203.0.113.23' },
  stall: { v4: '203.0.113.24' },
  reset: { v4: '203.0.113.25' },
  intercept: { v4: '203.0.113.26', v6: '2001:db8:20::26' },
  backlog: { v4: '203.0.113.27' },
  /** An address of the server host where nothing listens (a decommissioned server). */
  gone: { v4: '203.0.113.28' },
} as const satisfies Record<string, { v4: string; v6?: string }>;
export type ServiceName = keyof typeof SERVICES;

const srvAddrs = (): string[] => {
  const out = ['203.0.113.2/27', '2001:db8:20::2/64'];
  for (const s of Object.values(SERVICES)) {
    out.push(`${s.v4}/27`);
    if ('v6' in s) out.push(`${s.v6}/64`);
  }
  return out;
};

export const LINKS: Link[] = [
  // Region A (Beijing): client LAN, gw NATs it out of up0.
  { a: { host: 'client', dev: 'eth0', addrs: [`${ADDR.client}/24`, `${ADDR.client6}/64`] }, b: { host: 'gw', dev: 'lan0', addrs: [`${ADDR.gwLan}/24`, `${ADDR.gwLan6}/64`] } },
  // Region B (Shanghai): a LAN bridge in gw2 joins client2, gw2 and the HK ISP line's router.
  { a: { host: 'client2', dev: 'eth0', addrs: [`${ADDR.client2}/24`, `${ADDR.client26}/64`] }, b: { host: 'gw2', dev: 'p-client2', addrs: [], bridge: 'br0' } },
  { a: { host: 'wrong', dev: 'lan0', addrs: [`${ADDR.wrongLan}/24`, `${ADDR.wrongLan6}/64`] }, b: { host: 'gw2', dev: 'p-wrong', addrs: [], bridge: 'br0' } },
  // client2's second uplink (another ISP): eth1 to the HK ISP line's router; no route uses it unless a scenario adds one.
  { a: { host: 'client2', dev: 'eth1', addrs: [`${ADDR.client2Isp2}/24`] }, b: { host: 'wrong', dev: 'lan1', addrs: [`${ADDR.wrongIsp2}/24`] } },
  { a: { host: 'wrong', dev: 'isp0', addrs: [`${ADDR.wrongUp}/29`, '2001:db8:c::1/64'] }, b: { host: 'hk', dev: 'eth0', addrs: [`${ADDR.hk}/29`, '2001:db8:c::2/64'] } },
  // Uplinks to the core.
  { a: { host: 'gw', dev: 'up0', addrs: [`${ADDR.gwUp}/29`, '2001:db8:a::1/64'] }, b: { host: 'core', dev: 'gw0', addrs: [`${ADDR.coreGw}/29`, '2001:db8:a::2/64'] } },
  { a: { host: 'gw2', dev: 'up0', addrs: [`${ADDR.gw2Up}/29`, '2001:db8:b::1/64'] }, b: { host: 'core', dev: 'gw2', addrs: [`${ADDR.coreGw2}/29`, '2001:db8:b::2/64'] } },
  // Server side.
  { a: { host: 'core', dev: 'srv0', addrs: [`${ADDR.coreSrv}/27`, `${ADDR.coreSrv6}/64`] }, b: { host: 'srv', dev: 'eth0', addrs: srvAddrs() } },
  // The balanced branch: two routers between the core and far.
  { a: { host: 'core', dev: 'mp1', addrs: [`${ADDR.coreMp1}/29`] }, b: { host: 'br1', dev: 'up0', addrs: [`${ADDR.br1Up}/29`] } },
  { a: { host: 'core', dev: 'mp2', addrs: [`${ADDR.coreMp2}/29`] }, b: { host: 'br2', dev: 'up0', addrs: [`${ADDR.br2Up}/29`] } },
  { a: { host: 'br1', dev: 'far0', addrs: [`${ADDR.br1Far}/29`] }, b: { host: 'far', dev: 'br1', addrs: [`${ADDR.farBr1}/29`] } },
  { a: { host: 'br2', dev: 'far0', addrs: [`${ADDR.br2Far}/29`] }, b: { host: 'far', dev: 'br2', addrs: [`${ADDR.farBr2}/29`] } },
  {
    a: { host: 'core', dev: 'dns0', addrs: [`${ADDR.coreDns}/28`, `${ADDR.coreDns6}/64`] },
    b: { host: 'dns', dev: 'eth0', addrs: ['203.0.113.34/28', `${ADDR.ns1}/28`, `${ADDR.ns2}/28`, '2001:db8:30::34/64', `${ADDR.ns16}/64`, `${ADDR.ns26}/64`] },
  },
];

export const HOST_SPECS: Record<Host, HostSpec> = {
  client: { routes: [`default via ${ADDR.gwLan}`, `default via ${ADDR.gwLan6}`], router: false },
  client2: { routes: [`default via ${ADDR.gw2Lan}`, `default via ${ADDR.gw2Lan6}`], router: false },
  gw: { routes: [`default via ${ADDR.coreGw}`, 'default via 2001:db8:a::2'], router: true, nat: { out: 'up0', src: '100.64.1.0/24' } },
  gw2: { bridges: { br0: [`${ADDR.gw2Lan}/24`, `${ADDR.gw2Lan6}/64`] }, routes: [`default via ${ADDR.coreGw2}`, 'default via 2001:db8:b::2'], router: true, nat: { out: 'up0', src: '100.64.2.0/24' } },
  // The HK ISP's router: forwards everything into the HK ISP's network (hk), where it is lost.
  wrong: { routes: [`default via ${ADDR.hk}`, 'default via 2001:db8:c::2'], router: true },
  // The HK ISP's network beyond `wrong`: a host that does not forward, so transit traffic vanishes.
  hk: { routes: [`100.64.2.0/24 via ${ADDR.wrongUp}`, '2001:db8:2::/64 via 2001:db8:c::1'], router: false },
  // The core: IPv4 from the regions arrives NATed; IPv6 is routed to the LANs.
  // mp.lab.test's prefix is balanced over br1 and br2, per flow (addresses and ports: hash policy 1).
  core: {
    routes: ['2001:db8:1::/64 via 2001:db8:a::1', '2001:db8:2::/64 via 2001:db8:b::1', `${MP_NET} nexthop via ${ADDR.br1Up} dev mp1 nexthop via ${ADDR.br2Up} dev mp2`],
    router: true,
    sysctls: { 'net.ipv4.fib_multipath_hash_policy': '1', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' },
  },
  br1: { routes: [`${MP_NET} via ${ADDR.farBr1}`, `default via ${ADDR.coreMp1}`], router: true, sysctls: { 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' } },
  br2: { routes: [`${MP_NET} via ${ADDR.farBr2}`, `default via ${ADDR.coreMp2}`], router: true, sysctls: { 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' } },
  // Answers over br1 whichever branch a packet came in by (no reverse-path filter).
  far: { routes: [`default via ${ADDR.br1Far}`], router: false, loopback: [`${ADDR.mp}/32`], sysctls: { 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' } },
  srv: { routes: [`default via ${ADDR.coreSrv}`, `default via ${ADDR.coreSrv6}`], router: false },
  dns: { routes: [`default via ${ADDR.coreDns}`, `default via ${ADDR.coreDns6}`], router: false },
};

const family = (cidrOrRoute: string): '-4' | '-6' => (cidrOrRoute.includes(':') ? '-6' : '-4');

/** Phase 1 for a host: create the veth pairs whose `a` end lives here (the peer goes straight into its namespace). */
export function linkScript(host: Host, nsOf: (h: Host) => string): string[] {
  const lines: string[] = [];
  for (const l of LINKS) {
    if (l.a.host !== host) continue;
    lines.push(`ip link add ${l.a.dev} type veth peer name ${l.b.dev} netns ${nsOf(l.b.host)}`);
  }
  return lines;
}

/**
 * Phase 0 for a host, before any of its interfaces exists: sysctls of this namespace only
 * (ip_forward and friends are per network namespace; the root namespace's are never written).
 */
export function sysctlScript(host: Host): string[] {
  const router = HOST_SPECS[host].router;
  const sys: Array<[string, string]> = [
    ['net.ipv4.ip_forward', router ? '1' : '0'],
    ['net.ipv6.conf.all.forwarding', router ? '1' : '0'],
    ['net.ipv6.conf.default.accept_ra', '0'],
    ['net.ipv6.conf.all.accept_ra', '0'],
    ['net.ipv6.conf.default.accept_dad', '0'],
    ['net.ipv6.conf.default.keep_addr_on_down', '1'],
    ['net.ipv4.conf.all.send_redirects', '0'],
    ['net.ipv4.conf.default.send_redirects', '0'],
    ['net.ipv4.conf.all.accept_redirects', '0'],
    ['net.ipv4.conf.default.accept_redirects', '0'],
    ['net.ipv6.conf.all.accept_redirects', '0'],
    ['net.ipv6.conf.default.accept_redirects', '0'],
  ];
  sys.push(...Object.entries(HOST_SPECS[host].sysctls ?? {}));
  return ['set -e', 'ip link set lo up', ...sys.map(([k, v]) => `echo ${v} > /proc/sys/${k.replace(/\./g, '/')}`)];
}

/** Phase 2 for a host: bridges, addresses, links up, routes, baseline firewall. */
export function configScript(host: Host): string[] {
  const spec = HOST_SPECS[host];
  const lines: string[] = ['set -e'];
  for (const [br, addrs] of Object.entries(spec.bridges ?? {})) {
    lines.push(`ip link add ${br} type bridge`);
    for (const a of addrs) lines.push(`ip ${family(a)} addr add ${a} dev ${br}${a.includes(':') ? ' nodad' : ''}`);
    lines.push(`ip link set ${br} up`);
  }
  for (const l of LINKS) {
    for (const end of [l.a, l.b]) {
      if (end.host !== host) continue;
      if (end.bridge) lines.push(`ip link set ${end.dev} master ${end.bridge}`);
      for (const a of end.addrs) lines.push(`ip ${family(a)} addr add ${a} dev ${end.dev}${a.includes(':') ? ' nodad' : ''}`);
      lines.push(`ip link set ${end.dev} up`);
    }
  }
  for (const a of spec.loopback ?? []) lines.push(`ip ${family(a)} addr add ${a} dev lo`);
  for (const r of spec.routes) lines.push(`ip ${family(r)} route add ${r}`);
  lines.push(...firewallScript(host));
  return lines;
}

const TABLES: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

/** The complete baseline ruleset of a host (every table declared, so restoring it also undoes any change). */
export function firewallBaseline(host: Host, v6: boolean): string {
  const nat = HOST_SPECS[host].nat;
  let out = '';
  for (const [table, chains] of Object.entries(TABLES)) {
    out += `*${table}\n${chains.map((c) => `:${c} ACCEPT [0:0]`).join('\n')}\n`;
    if (table === 'nat' && nat && !v6) out += `-A POSTROUTING -s ${nat.src} -o ${nat.out} -j MASQUERADE\n`;
    out += 'COMMIT\n';
  }
  return out;
}

export function firewallScript(host: Host): string[] {
  return [`iptables-restore <<'RULES'\n${firewallBaseline(host, false)}RULES`, `ip6tables-restore <<'RULES'\n${firewallBaseline(host, true)}RULES`];
}

/**
 * Puts a host's links, addresses and routes back as built (idempotent), restores its baseline
 * firewall and forgets its connection tracking and neighbour state: the safety net run after a
 * scenario's own undo steps.
 */
export function restoreScript(host: Host): string[] {
  const spec = HOST_SPECS[host];
  const lines: string[] = [];
  for (const br of Object.keys(spec.bridges ?? {})) lines.push(`ip link set ${br} up`);
  for (const l of LINKS) for (const end of [l.a, l.b]) if (end.host === host) lines.push(`ip link set ${end.dev} up`);
  for (const [br, addrs] of Object.entries(spec.bridges ?? {})) for (const a of addrs) lines.push(`ip ${family(a)} addr replace ${a} dev ${br}${a.includes(':') ? ' nodad' : ''}`);
  for (const l of LINKS)
    for (const end of [l.a, l.b]) if (end.host === host) for (const a of end.addrs) lines.push(`ip ${family(a)} addr replace ${a} dev ${end.dev}${a.includes(':') ? ' nodad' : ''}`);
  for (const a of spec.loopback ?? []) lines.push(`ip ${family(a)} addr replace ${a} dev lo`);
  for (const r of spec.routes) lines.push(`ip ${family(r)} route replace ${r}`);
  lines.push(...firewallScript(host));
  lines.push('conntrack -F >/dev/null 2>&1 || true', 'ip neigh flush all >/dev/null 2>&1 || true');
  lines.push(...FORGET_PATH_STATE);
  return lines;
}

/**
 * Learned path state (PMTU and redirect exceptions) of any host, touched by the scenario or not:
 * a server that learned a path MTU of 1400 keeps it for 10 minutes and would hide the next MTU
 * blackhole. Run on every host after each scenario.
 */
export const FORGET_PATH_STATE = ['ip -4 route flush cache >/dev/null 2>&1 || true', 'ip -6 route flush cache >/dev/null 2>&1 || true'];

/** A text that changes when a host's links, addresses, routes, rules or firewall change. */
export const FINGERPRINT_SCRIPT = [
  'ip -br link',
  'ip -br addr',
  'ip route show table all',
  'ip -6 route show table all | grep -v "^local fe80\\|^fe80\\|^multicast"',
  'ip rule',
  'ip -6 rule',
  "iptables-save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'",
  "ip6tables-save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'",
].join('; ');

/** Links whose end is in `host` (for scenarios that take a host's interfaces down). */
export function devsOf(host: Host): string[] {
  return LINKS.flatMap((l) => [l.a, l.b])
    .filter((e) => e.host === host)
    .map((e) => e.dev);
}
