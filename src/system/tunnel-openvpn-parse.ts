/**
 * Pure parsers for OpenVPN: its config (file or command line), its status file (client
 * statistics; server client lists in status-version 1, 2 and 3) and the management interface's
 * answers (`state`, `log`). Never throw on odd input: what cannot be read becomes a line in
 * `problems`. Inline secrets (<key>, <tls-auth>, …) are skipped, never kept.
 */
import type { TunnelEndpoint, TunnelPeer } from '../model/tunnel.js';
import { ipFamily, networkOf, splitHostPort } from '../model/prefix.js';

export interface OpenVpnConfig {
  mode: 'client' | 'server';
  dev: string | null;
  devType: 'tun' | 'tap';
  proto: 'udp' | 'tcp';
  remotes: TunnelEndpoint[];
  port: number;
  tunMtu: number | null;
  cipher: string | null;
  auth: string | null;
  tlsAuth: boolean;
  compress: boolean;
  statusFile: string | null;
  management: { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string } | null;
  managementPassword: boolean;
  routes: string[];
  pingSec: number | null;
  pingRestartSec: number | null;
  cd: string | null;
  problems: string[];
}

const MAX_LINES = 20_000;

/** Splits one config line into words (double/single quotes, backslash escapes as OpenVPN does). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i]!;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i]!;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else if ((ch === '#' || ch === ';') && !has) break;
    else {
      cur += ch;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

const protoOf = (s: string | undefined): 'udp' | 'tcp' | null => (!s ? null : /^udp/i.test(s) ? 'udp' : /^tcp/i.test(s) ? 'tcp' : null);
const int = (s: string | undefined): number | null => (s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : null);

/** 'NET MASK' (route) → prefix; 'NET/LEN' (route-ipv6) → prefix. */
export function routePrefix(net: string, mask?: string): string | null {
  if (ipFamily(net) === 4) {
    if (mask === undefined || mask === 'default') return networkOf(`${net}/32`);
    if (ipFamily(mask) !== 4) return null;
    const bits = mask
      .split('.')
      .map(Number)
      .reduce((n, o) => n * 256 + o, 0);
    const len = 32 - Math.log2(2 ** 32 - bits);
    return Number.isInteger(len) ? networkOf(`${net}/${len}`) : null;
  }
  return networkOf(net);
}

export function emptyConfig(): OpenVpnConfig {
  return {
    mode: 'client',
    dev: null,
    devType: 'tun',
    proto: 'udp',
    remotes: [],
    port: 1194,
    tunMtu: null,
    cipher: null,
    auth: null,
    tlsAuth: false,
    compress: false,
    statusFile: null,
    management: null,
    managementPassword: false,
    routes: [],
    pingSec: null,
    pingRestartSec: null,
    cd: null,
    problems: [],
  };
}

/** Applies one directive (words[0] without the leading '--'). Pending remotes get the global proto/port later. */
function apply(cfg: OpenVpnConfig, w: string[], where: string, pending: Array<{ host: string; port: number | null; proto: 'udp' | 'tcp' | null }>): void {
  const [d, a, b, c] = w;
  switch (d) {
    case 'client':
    case 'tls-client':
    case 'pull':
      cfg.mode = 'client';
      break;
    case 'server':
    case 'server-ipv6':
    case 'server-bridge':
      cfg.mode = 'server';
      break;
    case 'mode':
      if (a === 'server') cfg.mode = 'server';
      break;
    case 'dev':
      if (a) cfg.dev = a;
      if (a && /^tap/.test(a)) cfg.devType = 'tap';
      break;
    case 'dev-type':
      if (a === 'tap' || a === 'tun') cfg.devType = a;
      break;
    case 'proto': {
      const p = protoOf(a);
      if (p) cfg.proto = p;
      else cfg.problems.push(`${where}: proto '${(a ?? '').slice(0, 20)}' not understood`);
      break;
    }
    case 'remote':
      if (a) pending.push({ host: a, port: int(b), proto: protoOf(c) });
      break;
    case 'port':
    case 'rport':
      if (int(a) !== null) cfg.port = int(a)!;
      break;
    case 'tun-mtu':
      cfg.tunMtu = int(a);
      break;
    case 'cipher':
      if (a) cfg.cipher = a;
      break;
    case 'data-ciphers':
    case 'ncp-ciphers':
      if (a && !cfg.cipher) cfg.cipher = a.split(':')[0] ?? null;
      break;
    case 'auth':
      if (a) cfg.auth = a;
      break;
    case 'tls-auth':
    case 'tls-crypt':
    case 'tls-crypt-v2':
      cfg.tlsAuth = true;
      break;
    case 'comp-lzo':
      cfg.compress = a !== 'no';
      break;
    case 'compress':
      cfg.compress = a !== 'stub' && a !== 'stub-v2' && a !== 'migrate';
      break;
    case 'status':
      if (a) cfg.statusFile = a;
      break;
    case 'management':
      if (a && b === 'unix') cfg.management = { kind: 'unix', path: a };
      else if (a && int(b) !== null) cfg.management = { kind: 'tcp', host: a, port: int(b)! };
      if (c) cfg.managementPassword = true;
      break;
    case 'route': {
      const p = a ? routePrefix(a, b) : null;
      if (p) cfg.routes.push(p);
      else if (a && a !== 'vpn_gateway' && a !== 'net_gateway') cfg.problems.push(`${where}: route '${w.slice(1).join(' ').slice(0, 60)}' not understood`);
      break;
    }
    case 'route-ipv6': {
      const p = a ? routePrefix(a) : null;
      if (p) cfg.routes.push(p);
      break;
    }
    case 'keepalive':
      if (int(a) !== null) cfg.pingSec = int(a);
      if (int(b) !== null) cfg.pingRestartSec = int(b);
      break;
    case 'ping':
      cfg.pingSec = int(a);
      break;
    case 'ping-restart':
      cfg.pingRestartSec = int(a);
      break;
    case 'cd':
      if (a) cfg.cd = a;
      break;
    default:
      break;
  }
}

function finish(cfg: OpenVpnConfig, pending: Array<{ host: string; port: number | null; proto: 'udp' | 'tcp' | null }>): OpenVpnConfig {
  cfg.remotes = pending.map((r) => ({ host: r.host, port: r.port ?? cfg.port, proto: r.proto ?? cfg.proto }));
  cfg.routes = [...new Set(cfg.routes)];
  return cfg;
}

/** A config file's text (inline blocks such as <ca>…</ca> are skipped; <tls-auth>/<tls-crypt> mark tlsAuth). */
export function parseOpenVpnConfig(text: string, path: string): OpenVpnConfig {
  const cfg = emptyConfig();
  const pending: Array<{ host: string; port: number | null; proto: 'udp' | 'tcp' | null }> = [];
  let inline: string | null = null;
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) cfg.problems.push(`${path}: more than ${MAX_LINES} lines; the rest was not read`);
  for (const [i, raw] of lines.slice(0, MAX_LINES).entries()) {
    const line = raw.trim();
    if (inline) {
      if (line === `</${inline}>`) inline = null;
      continue;
    }
    const open = /^<([a-z0-9-]+)>$/.exec(line);
    if (open) {
      inline = open[1]!;
      if (inline === 'tls-auth' || inline === 'tls-crypt' || inline === 'tls-crypt-v2') cfg.tlsAuth = true;
      continue;
    }
    const w = splitWords(line);
    if (w.length === 0) continue;
    w[0] = w[0]!.replace(/^--/, '');
    apply(cfg, w, `${path}:${i + 1}`, pending);
  }
  if (inline) cfg.problems.push(`${path}: inline block <${inline}> is not closed (file truncated?)`);
  return finish(cfg, pending);
}

/**
 * A command line (argv after the program): `--opt args…` and a lone config path. The options
 * come back as config lines (quoted), to be read after the file as OpenVPN does.
 */
export function parseOpenVpnArgs(argv: readonly string[]): { config: string | null; cd: string | null; lines: string[] } {
  let config: string | null = null;
  let cd: string | null = null;
  const groups: string[][] = [];
  for (const a of argv) {
    if (a.startsWith('--')) groups.push([a.slice(2)]);
    else if (groups.length > 0) groups[groups.length - 1]!.push(a);
    else config = a; // `openvpn FILE`
  }
  const lines: string[] = [];
  for (const g of groups) {
    if (g[0] === 'config' && g[1]) config = g[1];
    else if (g[0] === 'cd' && g[1]) cd = g[1];
    else lines.push(g.map((w) => `"${w.replace(/["\\]/g, '\\$&')}"`).join(' '));
  }
  return { config, cd, lines };
}

export interface OpenVpnStatus {
  kind: 'client' | 'server';
  updated: string | null;
  readBytes: number | null;
  writeBytes: number | null;
  /** Server mode: one peer per connected client (name = common name). */
  clients: TunnelPeer[];
  problems: string[];
}

function endpointOf(real: string | undefined, proto: 'udp' | 'tcp'): TunnelEndpoint | null {
  if (!real) return null;
  const s = real.replace(/^(udp|tcp)[46]?(-server|-client)?:/i, '');
  const hp = splitHostPort(s);
  return hp ? { host: hp.host, port: hp.port, proto } : null;
}

/**
 * An OpenVPN status file or the answer to `status N` on the management interface.
 * Client: "OpenVPN STATISTICS" with TCP/UDP read/write bytes. Server: "OpenVPN CLIENT LIST"
 * (version 1) or CLIENT_LIST/ROUTING_TABLE rows separated by commas (2) or tabs (3).
 */
export function parseOpenVpnStatus(text: string, source: string, proto: 'udp' | 'tcp' = 'udp'): OpenVpnStatus {
  const out: OpenVpnStatus = { kind: 'client', updated: null, readBytes: null, writeBytes: null, clients: [], problems: [] };
  const lines = text.replace(/\r/g, '').split('\n').slice(0, 200_000);
  let sawEnd = false;
  let sawHeader = false;
  let section: 'stats' | 'clients' | 'routing' | 'global' | null = null;
  const byName = new Map<string, TunnelPeer>();
  const routesOf = new Map<string, string[]>();
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (!line) continue;
    if (line === 'END') {
      sawEnd = true;
      break;
    }
    if (line === 'OpenVPN STATISTICS') {
      sawHeader = true;
      section = 'stats';
      continue;
    }
    if (line === 'OpenVPN CLIENT LIST') {
      sawHeader = true;
      out.kind = 'server';
      section = 'clients';
      continue;
    }
    if (line === 'ROUTING TABLE') {
      section = 'routing';
      continue;
    }
    if (line === 'GLOBAL STATS') {
      section = 'global';
      continue;
    }
    const sep = line.includes('\t') && /^(TITLE|TIME|HEADER|CLIENT_LIST|ROUTING_TABLE|GLOBAL_STATS)\t/.test(line) ? '\t' : ',';
    const f = line.split(sep);
    const tag = f[0]!;
    if (tag === 'TITLE' || tag === 'TIME' || tag === 'HEADER' || tag === 'CLIENT_LIST' || tag === 'ROUTING_TABLE' || tag === 'GLOBAL_STATS') {
      sawHeader = true;
      out.kind = 'server';
      if (tag === 'TIME') out.updated = f[1] ?? null;
      if (tag === 'CLIENT_LIST' && f.length >= 8) {
        const name = f[1] ?? '';
        byName.set(name, { publicKey: null, name, endpoint: endpointOf(f[2], proto), allowedIps: [], latestHandshake: int(f[8]) ?? null, rxBytes: int(f[5]), txBytes: int(f[6]), keepaliveSec: null });
        const vaddr = f[3];
        if (vaddr && ipFamily(vaddr)) routesOf.set(name, [...(routesOf.get(name) ?? []), `${vaddr}/32`]);
      } else if (tag === 'ROUTING_TABLE' && f.length >= 3) {
        const p = networkOf(f[1]!.replace(/C$/, '')) ?? (ipFamily(f[1]!) ? `${f[1]}/32` : null);
        if (p) routesOf.set(f[2]!, [...(routesOf.get(f[2]!) ?? []), p]);
      } else if ((tag === 'CLIENT_LIST' || tag === 'ROUTING_TABLE') && f.length > 1) out.problems.push(`${source}: a ${tag} row has ${f.length} fields`);
      continue;
    }
    if (tag === 'Updated') {
      out.updated = f[1] ?? null;
      continue;
    }
    if (section === 'stats') {
      if (tag === 'TCP/UDP read bytes') out.readBytes = int(f[1]);
      else if (tag === 'TCP/UDP write bytes') out.writeBytes = int(f[1]);
    } else if (section === 'clients' && tag !== 'Common Name' && f.length >= 5) {
      byName.set(tag, { publicKey: null, name: tag, endpoint: endpointOf(f[1], proto), allowedIps: [], latestHandshake: null, rxBytes: int(f[2]), txBytes: int(f[3]), keepaliveSec: null });
    } else if (section === 'routing' && tag !== 'Virtual Address' && f.length >= 3) {
      const p = networkOf(tag.replace(/C$/, '')) ?? (ipFamily(tag) ? `${tag}/32` : null);
      if (p) routesOf.set(f[1]!, [...(routesOf.get(f[1]!) ?? []), p]);
    }
  }
  if (!sawHeader) out.problems.push(`${source}: not an OpenVPN status (no "OpenVPN STATISTICS" / "OpenVPN CLIENT LIST" / CLIENT_LIST rows)`);
  else if (!sawEnd) out.problems.push(`${source}: truncated (no END line); read what is there`);
  for (const [name, p] of byName) out.clients.push({ ...p, allowedIps: [...new Set((routesOf.get(name) ?? []).map((x) => networkOf(x) ?? x))] });
  return out;
}

export interface ManagementState {
  state: string | null;
  detail: string | null;
  since: number | null;
  localIp: string | null;
  remote: { host: string; port: number } | null;
}

const STATE_ROW = /^\d+,(CONNECTING|WAIT|AUTH|AUTH_PENDING|GET_CONFIG|ASSIGN_IP|ADD_ROUTES|CONNECTED|RECONNECTING|EXITING|RESOLVE|TCP_CONNECT),/;

/** The answer to `state`: 'TIME,STATE,DETAIL,LOCAL_IP,REMOTE_IP,REMOTE_PORT,…' (the last line before END). */
export function parseManagementState(text: string): ManagementState | null {
  const rows = text
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => STATE_ROW.test(l));
  const last = rows[rows.length - 1];
  if (!last) return null;
  const f = last.split(',');
  const port = int(f[5]);
  return { since: int(f[0]), state: f[1] ?? null, detail: f[2] || null, localIp: f[3] || null, remote: f[4] && port !== null ? { host: f[4], port } : null };
}

export interface PushedOptions {
  routes: string[];
  tunMtu: number | null;
  pingSec: number | null;
  pingRestartSec: number | null;
  cipher: string | null;
}

/** The latest PUSH_REPLY and "Data Channel: cipher" of a log (management `log all` or a log file). */
export function parsePushReply(log: string): PushedOptions | null {
  const lines = log.replace(/\r/g, '').split('\n');
  let push: string | null = null;
  let cipher: string | null = null;
  for (const l of lines) {
    const m = /PUSH_REPLY,([^']*)/.exec(l);
    if (m) push = m[1]!;
    const c = /Data Channel: cipher '([^']+)'/.exec(l) ?? /Data Channel Encrypt: Cipher '([^']+)'/.exec(l);
    if (c) cipher = c[1]!;
  }
  if (push === null) return cipher ? { routes: [], tunMtu: null, pingSec: null, pingRestartSec: null, cipher } : null;
  const out: PushedOptions = { routes: [], tunMtu: null, pingSec: null, pingRestartSec: null, cipher };
  for (const opt of push.split(',')) {
    const w = opt.trim().split(/\s+/);
    if (w[0] === 'route' && w[1]) {
      const p = routePrefix(w[1], w[2]);
      if (p) out.routes.push(p);
    } else if (w[0] === 'route-ipv6' && w[1]) {
      const p = routePrefix(w[1]);
      if (p) out.routes.push(p);
    } else if (w[0] === 'tun-mtu') out.tunMtu = int(w[1]);
    else if (w[0] === 'ping') out.pingSec = int(w[1]);
    else if (w[0] === 'ping-restart') out.pingRestartSec = int(w[1]);
    else if (w[0] === 'cipher' && w[1] && !out.cipher) out.cipher = w[1];
  }
  return out;
}
