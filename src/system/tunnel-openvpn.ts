/**
 * OpenVPN state: every running `openvpn` process of this network namespace (/proc), its config
 * (file + command line), its tun/tap device (/proc/PID/fdinfo of /dev/net/tun), its status file,
 * and — when configured on loopback or a unix socket without a password — its management
 * interface (`state`, `status`, `log all` for the pushed routes, MTU and cipher). Configured
 * clients that are not running (/etc/openvpn/client/*.conf, /etc/openvpn/*.conf) are listed
 * with source 'config', so a tunnel that should be up can be named with its service.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Link } from '../model/snapshot.js';
import type { OpenVpnInfo, TunnelPeer, TunnelState } from '../model/tunnel.js';
import { isOverlayNetwork, networkOf } from '../model/prefix.js';
import { tunnelLink } from '../analyze/tunnel-link.js';
import { parseManagementState, parseOpenVpnArgs, parseOpenVpnConfig, parseOpenVpnStatus, parsePushReply, type OpenVpnConfig } from './tunnel-openvpn-parse.js';

export type ManagementFn = (m: NonNullable<OpenVpnConfig['management']>, commands: string[], timeoutMs: number) => Promise<{ ok: true; text: string } | { ok: false; reason: string }>;

export interface OvpnCollectContext {
  /** Prefix for /etc, /proc and config paths (tests); '/' by default. */
  root: string;
  timeoutMs: number;
  management?: ManagementFn;
}

const MAX_PROCS = 64;
const MAX_MGMT_BYTES = 1 << 20;

/** Talks to a management interface: sends the commands, reads until each has answered END. */
export const queryManagement: ManagementFn = (m, commands, timeoutMs) =>
  new Promise((resolveP) => {
    const sock = m.kind === 'tcp' ? connect({ host: m.host, port: m.port }) : connect({ path: m.path });
    let text = '';
    let done = false;
    const finish = (r: { ok: true; text: string } | { ok: false; reason: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolveP(r);
    };
    const timer = setTimeout(() => finish(text.includes('END') ? { ok: true, text } : { ok: false, reason: `no answer within ${timeoutMs} ms (another client may hold it)` }), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(commands.map((c) => `${c}\n`).join('')));
    sock.on('data', (d: string) => {
      text += d;
      if (/ENTER PASSWORD/.test(text)) return finish({ ok: false, reason: 'the management interface asks for a password' });
      if (text.length > MAX_MGMT_BYTES) return finish({ ok: false, reason: 'answer too large' });
      if ((text.match(/^END\r?$/gm) ?? []).length >= commands.length) {
        sock.write('quit\n');
        finish({ ok: true, text });
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, reason: err.code ?? err.message }));
    sock.on('close', () => finish(text.includes('END') ? { ok: true, text } : { ok: false, reason: 'closed without an answer' }));
  });

/** A path under the collection root as the machine names it. */
const shown = (root: string, path: string): string => (root === '/' ? path : `/${path.slice(root.length).replace(/^\/+/, '')}`);

const isLoopback = (host: string): boolean => /^127\./.test(host) || host === '::1' || host === 'localhost';

async function readText(path: string, max = 4 << 20): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  try {
    const text = await readFile(path, 'utf8');
    return { ok: true, text: text.length > max ? text.slice(0, max) : text };
  } catch (err) {
    return { ok: false, reason: `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

async function link(path: string): Promise<string | null> {
  try {
    return await readlink(path);
  } catch {
    return null;
  }
}

/** The tun/tap interface a process holds open (fdinfo 'iff:' of its /dev/net/tun descriptor). */
async function tunDevOf(proc: string, pid: number): Promise<string | null> {
  let fds: string[];
  try {
    fds = (await readdir(join(proc, String(pid), 'fd'))).slice(0, 256);
  } catch {
    return null;
  }
  for (const fd of fds) {
    if ((await link(join(proc, String(pid), 'fd', fd))) !== '/dev/net/tun') continue;
    const info = await readText(join(proc, String(pid), 'fdinfo', fd), 4096);
    const m = info.ok ? /^iff:\s*(\S+)/m.exec(info.text) : null;
    if (m) return m[1]!;
  }
  return null;
}

interface Live {
  statusText: string | null;
  mgmtText: string | null;
}

function toState(
  cfg: OpenVpnConfig,
  dev: string,
  source: TunnelState['source'],
  l: Link | undefined,
  live: Live,
  extra: { pid: number | null; configFile: string | null; service: string | null; problems: string[] },
): TunnelState {
  const problems = [...extra.problems, ...cfg.problems];
  const status = live.statusText !== null ? parseOpenVpnStatus(live.statusText, cfg.statusFile ?? 'status', cfg.proto) : null;
  if (status) problems.push(...status.problems);
  const st = live.mgmtText ? parseManagementState(live.mgmtText) : null;
  const mgmtStats = live.mgmtText ? parseOpenVpnStatus(live.mgmtText.slice(live.mgmtText.indexOf('OpenVPN ')), 'management status', cfg.proto) : null;
  const pushed = live.mgmtText ? parsePushReply(live.mgmtText) : null;
  const routes = [...new Set([...cfg.routes, ...(pushed?.routes ?? [])])];
  const activeRemote = st?.remote ? (cfg.remotes.find((r) => r.host === st.remote!.host && r.port === st.remote!.port) ?? { host: st.remote.host, port: st.remote.port, proto: cfg.proto }) : null;
  const readBytes = mgmtStats?.kind === 'client' && mgmtStats.readBytes !== null ? mgmtStats.readBytes : (status?.readBytes ?? null);
  const writeBytes = mgmtStats?.kind === 'client' && mgmtStats.writeBytes !== null ? mgmtStats.writeBytes : (status?.writeBytes ?? null);
  const pingSec = pushed?.pingSec ?? cfg.pingSec;
  const info: OpenVpnInfo = {
    mode: cfg.mode,
    pid: extra.pid,
    configFile: extra.configFile,
    remotes: cfg.remotes,
    activeRemote,
    devType: cfg.devType,
    cipher: pushed?.cipher ?? cfg.cipher,
    auth: cfg.auth,
    tlsAuth: cfg.tlsAuth,
    compress: cfg.compress,
    state: st?.state ?? null,
    stateDetail: st?.detail ?? null,
    stateSince: st?.since ?? null,
    linkReadBytes: readBytes,
    linkWriteBytes: writeBytes,
    statusFile: cfg.statusFile,
    management: cfg.management ? (cfg.management.kind === 'tcp' ? `tcp ${cfg.management.host} ${cfg.management.port}` : `unix ${cfg.management.path}`) : null,
    routes,
    pingSec,
    pingRestartSec: pushed?.pingRestartSec ?? cfg.pingRestartSec,
  };
  let peers: TunnelPeer[];
  if (cfg.mode === 'server') peers = status?.clients ?? mgmtStats?.clients ?? [];
  else {
    const connected = st?.state === 'CONNECTED';
    peers = [
      {
        publicKey: null,
        name: 'server',
        endpoint: activeRemote ?? cfg.remotes[0] ?? null,
        allowedIps: routes,
        latestHandshake: connected ? (st?.since ?? null) : st ? 0 : null,
        rxBytes: readBytes,
        txBytes: writeBytes,
        keepaliveSec: pingSec,
      },
    ];
  }
  const ls = tunnelLink(l);
  const networks = [...new Set([...(ls?.addresses ?? []).map((a) => networkOf(a)), ...routes].filter((n): n is string => n !== null && isOverlayNetwork(n)))];
  return {
    kind: 'openvpn',
    dev,
    source,
    link: ls,
    mtu: pushed?.tunMtu ?? cfg.tunMtu,
    listenPort: cfg.mode === 'server' ? cfg.port : null,
    peers,
    networks,
    service: extra.service,
    openvpn: info,
    problems,
  };
}

/**
 * PIDs whose command is openvpn. /proc/PID/comm is read synchronously: procfs answers from
 * memory, and one awaited read per process (a thread-pool round trip each, ~0.6 ms) made this
 * scan cost 50 ms for 80 processes and would cost seconds on a busy server; sync it is ~2 ms.
 */
async function processes(proc: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir(proc);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let comm: string;
    try {
      comm = readFileSync(join(proc, e, 'comm'), 'utf8');
    } catch {
      continue; // the process ended meanwhile, or is not ours to read
    }
    if (comm.trim() === 'openvpn') pids.push(Number(e));
    if (pids.length >= MAX_PROCS) break;
  }
  return pids;
}

async function configuredClients(root: string): Promise<Array<{ path: string; service: string }>> {
  const out: Array<{ path: string; service: string }> = [];
  for (const [dir, unit] of [
    ['etc/openvpn/client', 'openvpn-client@'],
    ['etc/openvpn', 'openvpn@'],
  ] as const) {
    try {
      for (const n of (await readdir(join(root, dir)))
        .filter((x) => x.endsWith('.conf'))
        .sort()
        .slice(0, 32))
        out.push({ path: join(root, dir, n), service: `${unit}${n.replace(/\.conf$/, '')}` });
    } catch {
      /* absent */
    }
  }
  return out;
}

/** OpenVPN tunnels of this network namespace (running processes, then configured clients). */
export async function collectOpenVpn(c: OvpnCollectContext, links: readonly Link[] | null): Promise<{ tunnels: TunnelState[]; problems: string[] }> {
  const proc = join(c.root, 'proc');
  const mgmt = c.management ?? queryManagement;
  const selfNs = await link(join(proc, 'self', 'ns', 'net'));
  const tunnels: TunnelState[] = [];
  const problems: string[] = [];
  const runningConfigs = new Set<string>();
  for (const pid of await processes(proc)) {
    const ns = await link(join(proc, String(pid), 'ns', 'net'));
    if (selfNs && ns && ns !== selfNs) continue; // another network namespace's daemon
    const argv = await readText(join(proc, String(pid), 'cmdline'), 64 * 1024);
    if (!argv.ok) {
      problems.push(`openvpn pid ${pid}: ${argv.reason}`);
      continue;
    }
    const args = parseOpenVpnArgs(
      argv.text
        .split('\0')
        .filter((x) => x.length > 0)
        .slice(1),
    );
    // --daemon chdirs to '/': a relative --config was relative to the shell's PWD at start.
    const env = await readText(join(proc, String(pid), 'environ'), 64 * 1024);
    const pwd = env.ok ? (/(?:^|\0)PWD=([^\0]+)/.exec(env.text)?.[1] ?? null) : null;
    const cwdNow = (await link(join(proc, String(pid), 'cwd'))) ?? '/';
    const cwd = args.config && !isAbsolute(args.config) && !args.cd && cwdNow === '/' && pwd ? pwd : cwdNow;
    const abs = (p: string, base: string): string => join(c.root, isAbsolute(p) ? p : resolve(base, p));
    let text = '';
    const extraProblems: string[] = [];
    let configFile: string | null = null;
    if (args.config) {
      configFile = isAbsolute(args.config) ? args.config : resolve(args.cd ?? cwd, args.config);
      runningConfigs.add(join(c.root, configFile));
      const r = await readText(join(c.root, configFile));
      if (r.ok) text = r.text;
      else extraProblems.push(`openvpn pid ${pid}: ${r.reason}`);
    }
    const cfg = parseOpenVpnConfig(`${text}\n${args.lines.join('\n')}`, configFile ?? 'command line');
    const base = cfg.cd ?? args.cd ?? cwd;
    const dev = (await tunDevOf(proc, pid)) ?? (cfg.dev && !/^(tun|tap)$/.test(cfg.dev) ? cfg.dev : null);
    const l = dev ? links?.find((x) => x.name === dev) : undefined;
    const live: Live = { statusText: null, mgmtText: null };
    if (cfg.statusFile) {
      const s = await readText(abs(cfg.statusFile, base));
      if (s.ok) live.statusText = s.text;
      else extraProblems.push(`status file ${s.reason}`);
    }
    const m = cfg.management;
    if (m && cfg.managementPassword) extraProblems.push('management interface: password protected, not queried');
    else if (m && m.kind === 'tcp' && !isLoopback(m.host)) extraProblems.push(`management interface on ${m.host}: not a loopback address, not queried`);
    else if (m) {
      const target = m.kind === 'unix' ? { kind: 'unix' as const, path: abs(m.path, base) } : m;
      const r = await mgmt(target, ['state', 'status', 'log all'], Math.min(1000, c.timeoutMs));
      if (r.ok) live.mgmtText = r.text;
      else extraProblems.push(`management interface: ${r.reason}`);
    }
    if (!dev) extraProblems.push('no tun/tap device is open: the tunnel is not (yet) established');
    tunnels.push(toState(cfg, dev ?? cfg.dev ?? 'tun', 'running', l, live, { pid, configFile, service: null, problems: extraProblems }));
  }
  for (const conf of await configuredClients(c.root)) {
    if (runningConfigs.has(conf.path)) continue;
    const r = await readText(conf.path);
    if (!r.ok) {
      problems.push(r.reason);
      continue;
    }
    const cfg = parseOpenVpnConfig(r.text, conf.path);
    if (cfg.mode !== 'client' || cfg.remotes.length === 0) continue;
    const dev = cfg.dev ?? 'tun';
    tunnels.push(
      toState(
        cfg,
        dev,
        'config',
        links?.find((x) => x.name === dev),
        { statusText: null, mgmtText: null },
        { pid: null, configFile: shown(c.root, conf.path), service: conf.service, problems: [] },
      ),
    );
  }
  // Running tunnels win over a configured one with the same device.
  return { tunnels, problems };
}
