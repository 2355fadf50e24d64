/**
 * One way to build network namespaces, for the lab's unit tests, the netns probe tests and the
 * benches: named `<prefix>-<host>`, loopback up, veth pairs created inside one namespace with the
 * peer moved straight into the other (nothing is ever added to the root namespace), macvlan
 * stations on a host's link, commands and long-running processes inside, and a teardown that
 * removes exactly what this set created (its namespaces and everything running in them).
 * Synchronous (tests and benches build before they measure). The shell-driven benches and fixture
 * recorders use it too (dist/bench/wire.js behind bench/wire.sh, dist/pcap/lab-fixtures.js behind
 * scripts/pcap-lab-fixtures.sh). The lab itself (src/lab/lab.ts) builds its bigger
 * topology from src/lab/topology.ts scripts, in parallel.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface VethEnd {
  host: string;
  dev: string;
  /** Addresses in CIDR form ('198.51.100.1/30', '2001:db8::1/64'). */
  addrs?: string[];
}

/** How a process inside a host is started: its stdio (default: all piped) and environment. */
export interface NetnsSpawnOptions {
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
}

/** A command's outcome, whatever its exit status (`run`). Streams that were not piped read ''. */
export interface NetnsRunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface NetnsSet {
  /** The namespace name of a host. */
  ns(host: string): string;
  /** Creates the host's namespace with loopback up; `sysctls` ('key=value') are set inside it. */
  add(host: string, sysctls?: string[]): void;
  /** Runs a command inside a host; returns stdout; throws with the command and its stderr. */
  exec(host: string, args: string[], input?: string): string;
  /**
   * Runs a command inside a host to its end and returns its status and output without throwing for
   * a non-zero exit (as `cmd || true` in a shell); `stdio` as child_process (default: all piped, so
   * `'inherit'` shows the output instead of returning it).
   */
  run(host: string, args: string[], opts?: { input?: string; stdio?: StdioOptions; timeoutMs?: number }): NetnsRunResult;
  /** A veth pair between two hosts, addressed and up. */
  veth(a: VethEnd, b: VethEnd): void;
  /**
   * A macvlan device on `parent` (a link of the same host), addressed and up: a second station
   * with its own MAC on the parent's segment. `mode` as `ip link … type macvlan mode` (bridge lets
   * it talk to the parent's other macvlans; the parent itself never hears it directly).
   */
  macvlan(end: VethEnd, parent: string, mode?: 'bridge' | 'private' | 'vepa' | 'passthru' | 'source'): void;
  /** A long-running process inside a host (killed by destroy). */
  spawn(host: string, cmd: string, args: string[], opts?: NetnsSpawnOptions): ChildProcess;
  /**
   * Kills the processes this set started, then whatever else still runs inside its namespaces
   * (what those processes left behind: daemons, worker processes), and deletes the namespaces;
   * never throws.
   */
  destroy(): void;
}

const ip = (args: string[], input?: string): string => execFileSync('ip', args, { encoding: 'utf8', input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28 });

export function netnsSet(prefix: string): NetnsSet {
  const created: string[] = [];
  const children: ChildProcess[] = [];
  const ns = (host: string): string => `${prefix}-${host}`;
  const exec = (host: string, args: string[], input?: string): string => {
    try {
      return ip(['netns', 'exec', ns(host), ...args], input);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`${args.join(' ')} in ${ns(host)}: ${stderr.split('\n')[0] || String(err)}`);
    }
  };
  const addrsUp = (end: VethEnd): void => {
    for (const addr of end.addrs ?? []) exec(end.host, ['ip', 'addr', 'add', addr, 'dev', end.dev, ...(addr.includes(':') ? ['nodad'] : [])]);
    exec(end.host, ['ip', 'link', 'set', end.dev, 'up']);
  };
  return {
    ns,
    add(host, sysctls = []) {
      ip(['netns', 'add', ns(host)]);
      created.push(ns(host));
      if (sysctls.length > 0) exec(host, ['sysctl', '-qw', ...sysctls]);
      exec(host, ['ip', 'link', 'set', 'lo', 'up']);
    },
    exec,
    run(host, args, opts = {}) {
      const r = spawnSync('ip', ['netns', 'exec', ns(host), ...args], {
        encoding: 'utf8',
        input: opts.input ?? '',
        stdio: opts.stdio ?? ['pipe', 'pipe', 'pipe'],
        maxBuffer: 1 << 28,
        ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
      });
      if (r.error && r.status === null && r.signal === null) throw new Error(`${args.join(' ')} in ${ns(host)}: ${r.error.message}`);
      return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    veth(a, b) {
      exec(a.host, ['ip', 'link', 'add', a.dev, 'type', 'veth', 'peer', 'name', b.dev, 'netns', ns(b.host)]);
      addrsUp(a);
      addrsUp(b);
    },
    macvlan(end, parent, mode = 'bridge') {
      exec(end.host, ['ip', 'link', 'add', end.dev, 'link', parent, 'type', 'macvlan', 'mode', mode]);
      addrsUp(end);
    },
    spawn(host, cmd, args, opts = {}) {
      const c = spawn('ip', ['netns', 'exec', ns(host), cmd, ...args], { stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
      children.push(c);
      return c;
    },
    destroy() {
      for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
      for (const n of created.splice(0).reverse()) {
        let pids = '';
        try {
          pids = ip(['netns', 'pids', n]);
        } catch {
          // gone
        }
        for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // exited meanwhile
          }
        }
        try {
          ip(['netns', 'del', n]);
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * Deletes namespaces whose name matches `pattern` (group 1: the pid of the process that made
 * them) when that process is gone: what a crashed test or bench left behind. Never another live
 * process' namespaces.
 */
export function removeStaleNamespaces(pattern: RegExp): void {
  let list = '';
  try {
    list = ip(['netns', 'list']);
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = pattern.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      try {
        ip(['netns', 'del', name]);
      } catch {
        // gone meanwhile
      }
    }
  }
}

/**
 * On SIGINT, SIGTERM or SIGHUP: `cleanup` (remove the namespaces, temporary files), then exit with
 * 128 + the signal's number, so an interrupted bench or recorder leaves nothing behind.
 */
export function cleanupOnSignals(cleanup: () => void): void {
  for (const [sig, n] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ] as const)
    process.on(sig, () => {
      cleanup();
      process.exit(128 + n);
    });
}
