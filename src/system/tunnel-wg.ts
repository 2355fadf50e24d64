/**
 * WireGuard state: `wg show all dump` (live interfaces and peers) and /etc/wireguard/*.conf
 * (wg-quick files: configured tunnels, endpoint names). Parsers are pure and never throw on
 * odd input: a line they cannot read becomes one line in `problems`. Private and preshared
 * keys are read past, never kept.
 *
 * wireguard-go keeps its control sockets in /var/run/wireguard, shared by every network
 * namespace, so `wg show all` also lists interfaces of other namespaces: only interfaces that
 * exist as links here are kept.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecFn, ExecResult } from './exec.js';
import { execProblem } from './exec.js';
import type { Link } from '../model/snapshot.js';
import type { TunnelEndpoint, TunnelPeer, TunnelState } from '../model/tunnel.js';
import { ipFamily, isOverlayNetwork, networkOf, splitHostPort } from '../model/prefix.js';
import { tunnelLink } from '../analyze/tunnel-link.js';
import { normalizePrefix } from '../model/prefix.js';

export interface WgInterface {
  name: string;
  publicKey: string | null;
  listenPort: number | null;
  fwmark: string | null;
  peers: TunnelPeer[];
}

export interface WgDump {
  interfaces: WgInterface[];
  problems: string[];
}

const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const MAX_LINES = 200_000;

const intOrNull = (s: string | undefined): number | null => (s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : null);

/** 'host:port' as wg prints it → endpoint (always UDP); null for '(none)' or junk. */
export function parseWgEndpoint(text: string): TunnelEndpoint | null {
  if (text === '(none)' || text === '') return null;
  const hp = splitHostPort(text.trim());
  return hp ? { host: hp.host, port: hp.port, proto: 'udp' } : null;
}

/** '100.96.0.0/24,2001:db8::/64' → normalized prefixes (bad entries dropped, reported by the caller). */
export function parseAllowedIps(text: string): { prefixes: string[]; bad: string[] } {
  const prefixes: string[] = [];
  const bad: string[] = [];
  if (text === '(none)' || text.trim() === '') return { prefixes, bad };
  for (const raw of text.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    const fam = ipFamily(s.split('/')[0] ?? '');
    const p = fam ? normalizePrefix(s, fam) : null;
    const n = p ? networkOf(p) : null;
    if (n) prefixes.push(n);
    else bad.push(s.slice(0, 60));
  }
  return { prefixes, bad };
}

/**
 * `wg show all dump` (interface name first on every line) or `wg show IFACE dump` (pass `iface`).
 * Interface line: [iface] private-key public-key listen-port fwmark.
 * Peer line: [iface] public-key preshared-key endpoint allowed-ips latest-handshake rx tx keepalive.
 */
export function parseWgDump(text: string, iface?: string): WgDump {
  const source = iface ? `wg show ${iface} dump` : 'wg show all dump';
  const problems: string[] = [];
  const interfaces: WgInterface[] = [];
  let current: WgInterface | null = null;
  let extra = 0;
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) problems.push(`${source}: more than ${MAX_LINES} lines; the rest was not read`);
  const off = iface ? 0 : 1;
  for (const [i, line] of lines.slice(0, MAX_LINES).entries()) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    const name = iface ?? f[0] ?? '';
    const isInterfaceLine = iface ? current === null : current === null || current.name !== name;
    if (isInterfaceLine) {
      if (f.length < 4 + off || !/^[^\s/]{1,15}$/.test(name)) {
        problems.push(`${source} line ${i + 1}: expected an interface line (${4 + off} tab-separated fields), got ${f.length}`);
        current = null;
        continue;
      }
      if (f.length > 4 + off) extra++;
      const pub = f[off + 1] ?? '';
      current = { name, publicKey: KEY.test(pub) ? pub : null, listenPort: intOrNull(f[off + 2]), fwmark: f[off + 3] === 'off' || f[off + 3] === undefined ? null : f[off + 3]!, peers: [] };
      interfaces.push(current);
      continue;
    }
    if (!current) continue;
    if (f.length < 8 + off) {
      problems.push(`${source} line ${i + 1}: expected a peer line (${8 + off} tab-separated fields), got ${f.length}`);
      continue;
    }
    if (f.length > 8 + off) extra++;
    const [pub, , ep, allowed, hs, rx, tx, ka] = f.slice(off) as [string, string, string, string, string, string, string, string];
    if (!KEY.test(pub)) {
      problems.push(`${source} line ${i + 1}: the peer's public key is not a WireGuard key`);
      continue;
    }
    const endpoint = parseWgEndpoint(ep);
    if (endpoint === null && ep !== '(none)') problems.push(`${source} line ${i + 1}: endpoint '${ep.slice(0, 60)}' is not host:port`);
    const { prefixes, bad } = parseAllowedIps(allowed);
    if (bad.length > 0) problems.push(`${source} line ${i + 1}: allowed IPs not understood: ${bad.join(', ')}`);
    const handshake = intOrNull(hs);
    if (handshake === null) problems.push(`${source} line ${i + 1}: latest handshake '${hs.slice(0, 30)}' is not a number`);
    current.peers.push({
      publicKey: pub,
      name: null,
      endpoint,
      allowedIps: prefixes,
      latestHandshake: handshake,
      rxBytes: intOrNull(rx),
      txBytes: intOrNull(tx),
      keepaliveSec: ka === 'off' ? null : intOrNull(ka),
    });
  }
  if (extra > 0) problems.push(`${source}: ${extra} line(s) carry more fields than this netdx knows (a newer wg?); the known fields were read`);
  return { interfaces, problems };
}

export interface WgQuickConf {
  name: string;
  path: string;
  addresses: string[];
  mtu: number | null;
  listenPort: number | null;
  peers: Array<TunnelPeer & { endpointText: string | null }>;
  problems: string[];
}

/** A wg-quick file (/etc/wireguard/NAME.conf). Keys other than the public ones are skipped. */
export function parseWgQuickConf(text: string, path: string, name: string): WgQuickConf {
  const out: WgQuickConf = { name, path, addresses: [], mtu: null, listenPort: null, peers: [], problems: [] };
  let section: 'interface' | 'peer' | null = null;
  let peer: (TunnelPeer & { endpointText: string | null }) | null = null;
  for (const [i, raw] of text.split('\n').slice(0, 50_000).entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const sec = /^\[(\w+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!.toLowerCase() === 'interface' ? 'interface' : sec[1]!.toLowerCase() === 'peer' ? 'peer' : null;
      if (section === 'peer') {
        peer = { publicKey: null, name: null, endpoint: null, endpointText: null, allowedIps: [], latestHandshake: null, rxBytes: null, txBytes: null, keepaliveSec: null };
        out.peers.push(peer);
      }
      continue;
    }
    const kv = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) {
      out.problems.push(`${path}:${i + 1}: not 'Key = value'`);
      continue;
    }
    const key = kv[1]!.toLowerCase();
    const value = kv[2]!.trim();
    if (section === 'interface') {
      if (key === 'address') {
        for (const a of value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          const fam = ipFamily(a.split('/')[0] ?? '');
          const p = fam ? normalizePrefix(a, fam) : null;
          if (p) out.addresses.push(p);
          else out.problems.push(`${path}:${i + 1}: Address '${a.slice(0, 60)}' is not an address/prefix`);
        }
      } else if (key === 'mtu') out.mtu = intOrNull(value);
      else if (key === 'listenport') out.listenPort = intOrNull(value);
    } else if (section === 'peer' && peer) {
      if (key === 'publickey') peer.publicKey = KEY.test(value) ? value : null;
      else if (key === 'allowedips') {
        const { prefixes, bad } = parseAllowedIps(value);
        peer.allowedIps.push(...prefixes);
        if (bad.length > 0) out.problems.push(`${path}:${i + 1}: AllowedIPs not understood: ${bad.join(', ')}`);
      } else if (key === 'endpoint') {
        peer.endpointText = value;
        peer.endpoint = parseWgEndpoint(value);
        if (!peer.endpoint) out.problems.push(`${path}:${i + 1}: Endpoint '${value.slice(0, 60)}' is not host:port`);
      } else if (key === 'persistentkeepalive') peer.keepaliveSec = value === 'off' ? null : intOrNull(value);
    }
  }
  return out;
}

function overlayNetworks(addresses: readonly string[], peers: readonly TunnelPeer[]): string[] {
  const nets = [...addresses.map((a) => networkOf(a)), ...peers.flatMap((p) => p.allowedIps)].filter((n): n is string => n !== null && isOverlayNetwork(n));
  return [...new Set(nets)];
}

export interface WgCollectContext {
  exec: ExecFn;
  /** Prefix for /etc (tests); '/' by default. */
  root: string;
  timeoutMs: number;
}

async function readConfigs(root: string): Promise<{ confs: WgQuickConf[]; problems: string[] }> {
  const dir = join(root, 'etc/wireguard');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^[^\s/]{1,15}\.conf$/.test(n)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { confs: [], problems: code === 'ENOENT' ? [] : [`${dir}: cannot read (${code ?? 'error'})`] };
  }
  const confs: WgQuickConf[] = [];
  const problems: string[] = [];
  for (const n of names.slice(0, 64)) {
    const path = join(dir, n);
    try {
      confs.push(parseWgQuickConf(await readFile(path, 'utf8'), path, n.replace(/\.conf$/, '')));
    } catch (err) {
      problems.push(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return { confs, problems };
}

/**
 * WireGuard tunnels of this network namespace: live interfaces from `wg show all dump` that
 * exist as links here (`links`; all of them when links are unknown), merged with their
 * wg-quick file, plus configured tunnels whose interface does not exist (source 'config').
 */
/** `wg show dump` prints the fwmark as 0x-hex (or decimal); null when off or unreadable. */
export function markOf(text: string | null): number | null {
  if (text === null) return null;
  const n = /^0x[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n > 0 && n <= 0xffffffff ? n : null;
}

/** `wg show all dump`: started on its own when the links are still being read (it joins their batch). */
export const wgDump = (c: Pick<WgCollectContext, 'exec' | 'timeoutMs'>): Promise<ExecResult> => c.exec('wg', ['show', 'all', 'dump'], { timeoutMs: c.timeoutMs });

export async function collectWireGuard(c: WgCollectContext, links: readonly Link[] | null, started?: Promise<ExecResult>): Promise<{ tunnels: TunnelState[]; problems: string[] }> {
  const [r, cfg] = await Promise.all([started ?? wgDump(c), readConfigs(c.root)]);
  const problems = [...cfg.problems];
  const wgProblem = execProblem('wg', r, c.timeoutMs);
  const dump = wgProblem === null ? parseWgDump(r.stdout) : { interfaces: [], problems: [] };
  if (wgProblem !== null && (r.failure !== 'ENOENT' || cfg.confs.length > 0 || (links ?? []).some((l) => l.kind === 'wireguard'))) problems.push(wgProblem);
  problems.push(...dump.problems);
  const here = (name: string): Link | undefined => links?.find((l) => l.name === name);
  const tunnels: TunnelState[] = [];
  for (const w of dump.interfaces) {
    const link = here(w.name);
    if (links && !link) continue; // another namespace's wireguard-go socket
    const conf = cfg.confs.find((x) => x.name === w.name);
    // The live dump shows resolved endpoints; the wg-quick file may name them.
    const peers = w.peers.map((p) => {
      const cp = conf?.peers.find((x) => x.publicKey === p.publicKey);
      const host = cp?.endpoint?.host;
      return host && !ipFamily(host) && p.endpoint ? { ...p, endpoint: { ...p.endpoint, name: host } } : p;
    });
    const addresses = link ? link.addresses.map((a) => `${a.address}/${a.prefixlen}`) : (conf?.addresses ?? []);
    tunnels.push({
      kind: 'wireguard',
      dev: w.name,
      source: 'running',
      link: tunnelLink(link),
      mtu: conf?.mtu ?? null,
      listenPort: w.listenPort,
      fwmark: markOf(w.fwmark),
      peers,
      networks: overlayNetworks(addresses, peers),
      service: conf ? `wg-quick@${w.name}` : null,
      problems: conf?.problems ?? [],
    });
  }
  for (const conf of cfg.confs) {
    if (tunnels.some((t) => t.dev === conf.name)) continue;
    const peers: TunnelPeer[] = conf.peers.map(({ endpointText: _e, ...p }) => p);
    tunnels.push({
      kind: 'wireguard',
      dev: conf.name,
      source: 'config',
      link: tunnelLink(here(conf.name)),
      mtu: conf.mtu,
      listenPort: conf.listenPort,
      peers,
      networks: overlayNetworks(conf.addresses, peers),
      service: `wg-quick@${conf.name}`,
      problems: conf.problems,
    });
  }
  return { tunnels, problems };
}

/** The live peers of one interface (`wg show DEV dump`), for watching a handshake; a reason when wg cannot say. */
export async function readWgPeers(exec: ExecFn, dev: string, timeoutMs = 1000): Promise<{ ok: true; peers: TunnelPeer[] } | { ok: false; reason: string }> {
  const r = await exec('wg', ['show', dev, 'dump'], { timeoutMs });
  const problem = execProblem('wg', r, timeoutMs);
  if (problem) return { ok: false, reason: problem };
  const d = parseWgDump(r.stdout, dev);
  return d.interfaces[0] ? { ok: true, peers: d.interfaces[0].peers } : { ok: false, reason: d.problems[0] ?? `wg show ${dev} dump: empty` };
}
