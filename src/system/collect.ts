/**
 * Read-only collectors of local state → Snapshot. Every source runs at once (execFile, no shell,
 * 2 s each); a missing tool, a permission problem, a non-zero exit or unparsable output becomes
 * `{ ok: false, unavailable: reason }` for that source, never a failed snapshot.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { collectTunnels } from './tunnel.js';
import { join } from 'node:path';
import { ParseError } from '../model/errors.js';
import type { Collected, Snapshot } from '../model/snapshot.js';
import { batchedExec, DEFAULT_TIMEOUT_MS, defaultExec, execProblem, type ExecFn } from './exec.js';

import { parseLinks } from './parse/links.js';
import { parseRoutes } from './parse/routes.js';
import { parsePolicyRules } from './parse/rules.js';
import { parseNeighbors } from './parse/neigh.js';
import { parseResolvConf } from './parse/resolv.js';
import { parseHosts } from './parse/hosts.js';
import { parseNsswitch } from './parse/nsswitch.js';
import { parseListening } from './parse/ss.js';
import { parseJson } from './parse/json.js';
import type { NetlinkFn } from './netlink.js';
import { linkNames, linksJson, neighborsJson, routesJson, rulesJson } from './netlink-dump.js';
import { localIso, PROXY_VARS, SYSCTLS, proxyEnvOf, sysctlPath, timezoneName } from './host.js';

export { routeGet, type RouteGetOutcome } from './route-get.js';
export { execTool, ExecError } from './exec.js';
export { SYSCTLS, PROXY_VARS };

export type SnapshotPart = 'links' | 'routes' | 'rules' | 'neighbors' | 'resolv' | 'hosts' | 'nsswitch' | 'firewall' | 'sysctls' | 'listening' | 'tunnels';
export const ALL_PARTS: readonly SnapshotPart[] = ['links', 'routes', 'rules', 'neighbors', 'resolv', 'hosts', 'nsswitch', 'firewall', 'sysctls', 'listening', 'tunnels'];
/** The parts a diagnosis reads on every run (no firewall dump, sockets or sysctls). */
/** What a live diagnosis collects up front: everything but the listening sockets (`ss`, the slowest collector), which only TCP-001 reads, and only when a local port refused (the engine collects them then). */
export const DIAGNOSE_PARTS: readonly SnapshotPart[] = ALL_PARTS.filter((p) => p !== 'listening');
export const ENGINE_PARTS: readonly SnapshotPart[] = ['links', 'routes', 'rules', 'neighbors', 'resolv', 'hosts', 'nsswitch'];

export interface CollectOptions {
  /** Prefix for /etc and /proc files (tests); '/' by default. */
  root?: string;
  /** How commands run (tests inject a fake). */
  exec?: ExecFn;
  /** Where the proxy variables come from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Per-command deadline, 2000 ms by default. */
  timeoutMs?: number;
  /** Ask timedatectl whether NTP is synchronized (default true; a live diagnosis skips it: no rule reads it, and it is a fork). */
  ntp?: boolean;
  now?: () => Date;
  /**
   * The kernel asked in-process (rtnetlink, the addon's call) for the links, routes, rules and
   * neighbours instead of six `ip` commands; a part it cannot read is left to `ip`. Ignored on a
   * fake root.
   */
  netlink?: NetlinkFn | null;
}

const NOT_COLLECTED: Collected<never> = { ok: false, unavailable: 'not collected' };

/** The collectors' context from the options: root '/', the given exec (else `exec`), the default deadline. */
const ctxOf = (opts: CollectOptions, exec: ExecFn): Ctx => ({ root: opts.root ?? '/', exec: opts.exec ?? exec, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });

function unavailable(reason: string): Collected<never> {
  return { ok: false, unavailable: reason };
}

/** A parser's ParseError is a reason; anything else it throws is a bug and propagates. */
function parsed<T>(f: () => T): Collected<T> {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    if (err instanceof ParseError) return unavailable(err.message);
    throw err;
  }
}

interface Ctx {
  root: string;
  exec: ExecFn;
  timeoutMs: number;
}

/** Runs a command; its stdout, or the one-line reason it gave none. */
async function run(c: Ctx, file: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  const r = await c.exec(file, args, { timeoutMs: c.timeoutMs });
  const problem = execProblem(file, r, c.timeoutMs);
  return problem === null ? { ok: true, stdout: r.stdout } : { ok: false, reason: problem };
}

async function tool<T>(c: Ctx, file: string, args: string[], parse: (stdout: string) => T): Promise<Collected<T>> {
  const r = await run(c, file, args);
  return r.ok ? parsed(() => parse(r.stdout)) : unavailable(r.reason);
}

/** Both families of an ip listing; IPv6 missing from the kernel leaves the IPv4 half. */
async function bothFamilies<T>(c: Ctx, args: string[], parse: (json: string, family: 4 | 6) => T[]): Promise<Collected<T[]>> {
  const [v4, v6] = await Promise.all([run(c, 'ip', ['-j', '-4', ...args]), run(c, 'ip', ['-j', '-6', ...args])]);
  if (!v4.ok) return unavailable(v4.reason);
  if (!v6.ok && !/not supported|Address family/i.test(v6.reason)) return unavailable(v6.reason);
  return parsed(() => [...parse(v4.stdout, 4), ...(v6.ok ? parse(v6.stdout, 6) : [])]);
}

/** The kernel's [v4, v6] listings (as `ip -j` prints them) through ip's per-family parser. */
const twoFamilies =
  <T>(parse: (json: string, family: 4 | 6) => T[]) =>
  (pair: unknown): T[] => {
    const [v4, v6] = pair as [unknown[], unknown[]];
    return [...parse(JSON.stringify(v4), 4), ...parse(JSON.stringify(v6), 6)];
  };
/** A single listing of the kernel's through ip's parser. */
const asIpJson =
  <T>(parse: (json: string) => T) =>
  (value: unknown): T =>
    parse(JSON.stringify(value));

async function file<T>(c: Ctx, rel: string, parse: (text: string, path: string) => T): Promise<Collected<T>> {
  const path = join(c.root, rel);
  try {
    const text = await readFile(path, 'utf8');
    return parsed(() => parse(text, path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return unavailable(`${path} not found`);
    if (code === 'EACCES' || code === 'EPERM') return unavailable(`${path}: permission denied`);
    return unavailable(`${path}: cannot read (${code ?? 'error'})`);
  }
}

/**
 * The sysctls, read synchronously: procfs answers from memory, and an awaited read per key (four
 * thread-pool round trips each) cost the diagnosis ~9 ms and ~4 ms of CPU for 13 keys; sync, 0.3 ms.
 */
async function sysctls(c: Ctx): Promise<Collected<Record<string, string>>> {
  const out: Record<string, string> = {};
  const reasons = SYSCTLS.map((key) => {
    try {
      out[key] = readFileSync(join(c.root, sysctlPath(key)), 'utf8')
        .trim()
        .replace(/\s+/g, ' ');
      return null;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
  });
  // A key missing in this kernel/namespace is just absent; none readable at all is a reason.
  if (Object.keys(out).length === 0) return unavailable(`${join(c.root, 'proc/sys')}: cannot read (${reasons.find((r) => r !== null) ?? 'empty'})`);
  // Keep the documented key order.
  return { ok: true, value: Object.fromEntries(SYSCTLS.filter((k) => k in out).map((k) => [k, out[k] as string])) };
}

async function ntpSynchronized(c: Ctx): Promise<boolean | null> {
  const r = await c.exec('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeoutMs: Math.min(c.timeoutMs, 1000) });
  if (r.code !== 0) return null;
  const v = r.stdout.trim();
  return v === 'yes' ? true : v === 'no' ? false : null;
}

/** The listening sockets alone (`ss -ltnup`), for a snapshot collected without them. */
export function collectListening(opts: CollectOptions = {}): Promise<Snapshot['listening']> {
  const c = ctxOf(opts, defaultExec);
  return tool(c, 'ss', ['-H', '-ltnup'], parseListening);
}

function nftJson(stdout: string): unknown {
  return stdout.trim() === '' ? { nftables: [] } : parseJson('nft -j list ruleset', stdout);
}

const NETLINK_PARTS: readonly SnapshotPart[] = ['links', 'routes', 'rules', 'neighbors'];
type KernelJson = { links: unknown[] | null; routes: [unknown[], unknown[]] | null; rules: [unknown[], unknown[]] | null; neighbors: unknown[] | null };

type KernelParts = { [K in keyof KernelJson]: Promise<KernelJson[K]> };

/** The next turn of the event loop: timers and sockets get their turn between two kernel reads. */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * The parts netlink reads, as `ip -j` prints them; null for a part it could not read (then `ip`
 * answers). Each part is read in a turn of the event loop of its own, after the walk's first
 * packets: a probe's timers wait for one part (a few ms), not for all four.
 */
function kernelParts(nl: NetlinkFn, want: ReadonlySet<SnapshotPart>): KernelParts {
  const ok = <T>(f: () => T | string): T | null => {
    try {
      const v = f();
      return typeof v === 'string' ? null : v;
    } catch (err) {
      if (err instanceof ParseError) return null;
      throw err;
    }
  };
  const both = (f: (family: 4 | 6) => unknown[] | string): [unknown[], unknown[]] | null => {
    const v4 = ok(() => f(4));
    const v6 = v4 && ok(() => f(6));
    return v4 && v6 ? [v4, v6] : null;
  };
  const none = Promise.resolve(null);
  const needLinks = want.has('links') || want.has('routes') || want.has('neighbors');
  const links = needLinks ? nextTurn().then(() => ok(() => linksJson(nl))) : none;
  const name = links.then((l) => (l ? linkNames(l as Array<Record<string, unknown>>) : null));
  // One after another, each in its own turn.
  const routes = want.has('routes') ? name.then(async (n) => (await nextTurn(), n ? both((f) => routesJson(nl, f, n)) : null)) : none;
  const rules = want.has('rules') ? routes.then(async () => (await nextTurn(), both((f) => rulesJson(nl, f)))) : none;
  const neighbors = want.has('neighbors')
    ? rules.then(async () => {
        await nextTurn();
        const n = await name;
        return n ? ok(() => neighborsJson(nl, n)) : null;
      })
    : none;
  // A bug thrown in one read reaches the caller through the parts it awaits; the links and names
  // that only feed other parts must not also count as unhandled.
  for (const p of [links, name, routes, rules, neighbors]) p.catch(() => undefined);
  return { links: want.has('links') ? links : none, routes, rules, neighbors };
}

/** Collects the parts asked for (all by default); the others are marked 'not collected'. */
export async function collectSnapshot(opts: CollectOptions = {}, parts: readonly SnapshotPart[] = ALL_PARTS): Promise<Snapshot> {
  const c = ctxOf(opts, batchedExec);
  const want = new Set(parts);
  const when = <T>(p: SnapshotPart, f: () => Promise<Collected<T>>): Promise<Collected<T>> => (want.has(p) ? f() : Promise.resolve(NOT_COLLECTED));
  const nl = opts.netlink && c.root === '/' ? opts.netlink : null;
  // The commands first (the firewall dumps, `wg show`): their batch starts in the next turn of the
  // event loop, and the kernel is read while they run (also in a later turn: a walk's first packets
  // go out before this synchronous read).
  const firewall = {
    iptables: when('firewall', () => tool(c, 'iptables-save', ['-c'], (s) => s)),
    ip6tables: when('firewall', () => tool(c, 'ip6tables-save', ['-c'], (s) => s)),
    nft: when('firewall', () => tool(c, 'nft', ['-j', 'list', 'ruleset'], nftJson)),
    ufw: when('firewall', () => tool(c, 'ufw', ['status', 'verbose'], (s) => s)),
    ipset: when('firewall', () => tool(c, 'ipset', ['save'], (s) => s)),
  };
  const kernel: KernelParts | null = nl && NETLINK_PARTS.some((p) => want.has(p)) ? kernelParts(nl, want) : null;
  const fromKernel = <T>(json: unknown, parse: (value: unknown) => T): Promise<Collected<T>> => Promise.resolve(parsed(() => parse(json)));
  /** The kernel first; a part it could not read is asked of `ip`. */
  const kernelOr = <T>(part: 'links' | 'routes' | 'rules' | 'neighbors', viaIp: () => Promise<Collected<T>>, parse: (value: unknown) => T): Promise<Collected<T>> =>
    when(part, async () => {
      const json = kernel ? await kernel[part] : null;
      return json ? fromKernel(json, parse) : viaIp();
    });
  const linksP = kernelOr(
    'links',
    () => tool(c, 'ip', ['-j', '-d', 'addr'], (s) => parseLinks(s)),
    asIpJson((s) => parseLinks(s)),
  );
  // Tunnel state (WireGuard, OpenVPN, other tun/tap) reuses the links; its `wg show` starts now, in the
  // same batch as the other commands. Not on a fake root.
  const tunnelsP = want.has('tunnels') && c.root === '/' ? collectTunnels({ links: linksP, exec: c.exec, timeoutMs: c.timeoutMs }) : Promise.resolve(undefined);
  const [links, routes, rules, neighbors, resolv, hosts, nsswitch, iptables, ip6tables, nft, ufw, ipset, sysctlValues, listening, ntp, tunnels] = await Promise.all([
    linksP,
    kernelOr('routes', () => bothFamilies(c, ['route', 'show', 'table', 'all'], parseRoutes), twoFamilies(parseRoutes)),
    kernelOr('rules', () => bothFamilies(c, ['rule'], parsePolicyRules), twoFamilies(parsePolicyRules)),
    kernelOr(
      'neighbors',
      () => tool(c, 'ip', ['-j', 'neigh'], (s) => parseNeighbors(s)),
      asIpJson((s) => parseNeighbors(s)),
    ),
    when('resolv', () => file(c, 'etc/resolv.conf', parseResolvConf)),
    when('hosts', () => file(c, 'etc/hosts', parseHosts)),
    when('nsswitch', () => file(c, 'etc/nsswitch.conf', parseNsswitch)),
    firewall.iptables,
    firewall.ip6tables,
    firewall.nft,
    firewall.ufw,
    firewall.ipset,
    when('sysctls', () => sysctls(c)),
    when('listening', () => collectListening(opts)),
    opts.ntp === false ? Promise.resolve(null) : ntpSynchronized(c),
    tunnelsP,
  ]);
  const now = (opts.now ?? (() => new Date()))();
  return {
    ...(tunnels ? { tunnels } : {}),
    schema: 'netdx.snapshot/v1',
    collectedAt: now.toISOString(),
    hostname: hostname(),
    kernel: release(),
    uid: typeof process.getuid === 'function' ? process.getuid() : -1,
    links,
    routes,
    rules,
    neighbors,
    resolv,
    hosts,
    nsswitch,
    firewall: { iptables, ip6tables, nft, ufw, ipset },
    sysctls: sysctlValues,
    listening,
    proxyEnv: proxyEnvOf(opts.env ?? process.env),
    time: { local: localIso(now), timezone: timezoneName(opts.env ?? process.env, c.root), ntpSynchronized: ntp },
  };
}

/** Only some parts (the engine reads ENGINE_PARTS on every run); the rest are 'not collected'. */
export function collectFor(parts: readonly SnapshotPart[], opts: CollectOptions = {}): Promise<Snapshot> {
  return collectSnapshot(opts, parts);
}
