/**
 * Read-only collectors of local state → Snapshot. Every source runs in parallel with its own
 * timeout; a missing tool, a permission problem or unparsable output becomes
 * `{ ok: false, unavailable: reason }` for that source, never a failed snapshot.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { parseIpAddr, parseIpNeigh, parseIpRoute, parseIpRule, parseRouteGet, type RouteGet } from './parse-ip.js';
import { parseHosts, parseNsswitchHosts, parseResolvConf, parseSs } from './parse-files.js';
import type { Collected, Snapshot } from './types.js';

export type Exec = (file: string, args: string[], timeoutMs?: number) => Promise<{ stdout: string; stderr: string }>;

export class ExecError extends Error {
  constructor(
    message: string,
    readonly code: string | number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

const SBIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const execTool: Exec = (file, args, timeoutMs = 2000) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PATH: `${process.env.PATH ?? ''}:${SBIN_PATH}`, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const code = e.code ?? null;
        const first = String(stderr).split('\n').find((l) => l.trim()) ?? '';
        const msg = code === 'ENOENT' ? `${file} not installed` : e.killed ? `${file} timed out after ${timeoutMs} ms` : `${file} ${args.join(' ')} failed${first ? `: ${first.trim()}` : ` (exit ${String(code)})`}`;
        reject(new ExecError(msg, code, String(stderr)));
      } else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });

async function collected<T>(f: () => Promise<T>): Promise<Collected<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (err) {
    return { ok: false, unavailable: err instanceof Error ? err.message : String(err) };
  }
}

export interface CollectOptions {
  /** Prefix for /etc and /proc files (tests). */
  root?: string;
  exec?: Exec;
  env?: NodeJS.ProcessEnv;
}

export const SYSCTLS = [
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_max_syn_backlog',
  'net.core.somaxconn',
  'net.ipv4.ping_group_range',
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv4.icmp_ratelimit',
  'net.netfilter.nf_conntrack_tcp_timeout_established',
];

const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

export type SnapshotPart = 'links' | 'routes' | 'rules' | 'neighbors' | 'resolv' | 'hosts' | 'nsswitch' | 'firewall' | 'sysctls' | 'listening';
export const ALL_PARTS: readonly SnapshotPart[] = ['links', 'routes', 'rules', 'neighbors', 'resolv', 'hosts', 'nsswitch', 'firewall', 'sysctls', 'listening'];

const skipped: Collected<never> = { ok: false, unavailable: 'not collected' };

/** Collects the Snapshot (or only `parts`; the rest are marked 'not collected'). */
export async function collectSnapshot(opts: CollectOptions = {}, parts: readonly SnapshotPart[] = ALL_PARTS): Promise<Snapshot> {
  const root = opts.root ?? '/';
  const run = opts.exec ?? execTool;
  const env = opts.env ?? process.env;
  const file = (p: string): Promise<string> => readFile(join(root, p), 'utf8');
  const want = new Set(parts);
  const ip = async (args: string[]): Promise<string> => (await run('ip', args)).stdout;
  const when = <T>(p: SnapshotPart, f: () => Promise<T>): Promise<Collected<T>> => (want.has(p) ? collected(f) : Promise.resolve(skipped));

  const [links, routes, rules, neighbors, resolv, hosts, nsswitch, iptables, ip6tables, nft, ufw, sysctls, listening] = await Promise.all([
    when('links', async () => {
      const [a, l] = await Promise.all([ip(['-j', 'addr']), ip(['-j', '-d', 'link'])]);
      return parseIpAddr(a, l);
    }),
    when('routes', async () => {
      const [v4, v6] = await Promise.all([ip(['-j', '-4', 'route', 'show', 'table', 'all']), ip(['-j', '-6', 'route', 'show', 'table', 'all'])]);
      return [...parseIpRoute(v4, 4), ...parseIpRoute(v6, 6)];
    }),
    when('rules', async () => {
      const [v4, v6] = await Promise.all([ip(['-j', '-4', 'rule']), ip(['-j', '-6', 'rule'])]);
      return [...parseIpRule(v4, 4), ...parseIpRule(v6, 6)];
    }),
    when('neighbors', async () => parseIpNeigh(await ip(['-j', 'neigh']))),
    when('resolv', async () => parseResolvConf(await file('etc/resolv.conf'), '/etc/resolv.conf')),
    when('hosts', async () => ({ path: '/etc/hosts', entries: parseHosts(await file('etc/hosts')) })),
    when('nsswitch', async () => ({ path: '/etc/nsswitch.conf', hosts: parseNsswitchHosts(await file('etc/nsswitch.conf').catch(() => '')) })),
    when('firewall', async () => (await run('iptables-save', ['-c'])).stdout),
    when('firewall', async () => (await run('ip6tables-save', ['-c'])).stdout),
    when('firewall', async () => JSON.parse((await run('nft', ['-j', 'list', 'ruleset'])).stdout || '{"nftables":[]}') as unknown),
    when('firewall', async () => (await run('ufw', ['status', 'verbose'])).stdout),
    when('sysctls', async () => {
      const out: Record<string, string> = {};
      await Promise.all(
        SYSCTLS.map(async (k) => {
          try {
            out[k] = (await file(join('proc/sys', ...k.split('.')))).trim().replace(/\s+/g, ' ');
          } catch {
            /* absent in this kernel/namespace */
          }
        }),
      );
      return out;
    }),
    when('listening', async () => parseSs((await run('ss', ['-H', '-ltnup'])).stdout)),
  ]);

  const proxyEnv: Record<string, string> = {};
  for (const k of PROXY_VARS) if (env[k]) proxyEnv[k] = env[k]!;
  let ntp: boolean | null = null;
  try {
    ntp = (await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], 500)).stdout.trim() === 'yes';
  } catch {
    ntp = null;
  }
  return {
    schema: 'netdx.snapshot/v1',
    collectedAt: new Date().toISOString(),
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
    firewall: { iptables, ip6tables, nft, ufw },
    sysctls,
    listening,
    proxyEnv,
    time: { local: new Date().toISOString(), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, ntpSynchronized: ntp },
  };
}

export type RouteGetResult = { ok: true; value: RouteGet } | { ok: false; kind: 'no-route' | 'blackhole' | 'unreachable' | 'prohibit' | 'error'; error: string };

/** The kernel's route choice (`ip -j route get`); its errors mapped to what they mean. */
export async function routeGet(dst: string, opts: { from?: string; mark?: string; iif?: string; exec?: Exec } = {}): Promise<RouteGetResult> {
  const args = ['-j', 'route', 'get', dst];
  if (opts.from) args.push('from', opts.from);
  if (opts.mark) args.push('mark', opts.mark);
  if (opts.iif) args.push('iif', opts.iif);
  try {
    const { stdout } = await (opts.exec ?? execTool)('ip', args, 1500);
    const r = parseRouteGet(stdout);
    if (r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit') return { ok: false, kind: r.type, error: `route type ${r.type}` };
    return { ok: true, value: r };
  } catch (err) {
    const text = err instanceof ExecError ? err.stderr : err instanceof Error ? err.message : String(err);
    if (/Network is unreachable/i.test(text)) return { ok: false, kind: 'no-route', error: 'Network is unreachable' };
    if (/No route to host/i.test(text)) return { ok: false, kind: 'unreachable', error: 'No route to host' };
    if (/Permission denied|prohibited/i.test(text)) return { ok: false, kind: 'prohibit', error: 'Permission denied (prohibit route)' };
    if (/Invalid argument/i.test(text)) return { ok: false, kind: 'blackhole', error: 'Invalid argument (blackhole route)' };
    return { ok: false, kind: 'error', error: (text.split('\n')[0] ?? '').trim() || 'ip route get failed' };
  }
}
