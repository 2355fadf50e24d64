/**
 * One way to build network namespaces, for the lab's unit tests, the netns probe tests and the
 * benches: named `<prefix>-<host>`, loopback up, veth pairs created inside one namespace with the
 * peer moved straight into the other (nothing is ever added to the root namespace), long-running
 * processes inside, and a teardown that removes exactly what this set created. Synchronous (tests
 * and benches build before they measure). The lab itself (src/lab/lab.ts) builds its bigger
 * topology from src/lab/topology.ts scripts, in parallel.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export interface VethEnd {
  host: string;
  dev: string;
  /** Addresses in CIDR form ('198.51.100.1/30', '2001:db8::1/64'). */
  addrs?: string[];
}

export interface NetnsSet {
  /** The namespace name of a host. */
  ns(host: string): string;
  /** Creates the host's namespace with loopback up; `sysctls` ('key=value') are set inside it. */
  add(host: string, sysctls?: string[]): void;
  /** Runs a command inside a host; returns stdout; throws with the command and its stderr. */
  exec(host: string, args: string[], input?: string): string;
  /** A veth pair between two hosts, addressed and up. */
  veth(a: VethEnd, b: VethEnd): void;
  /** A long-running process inside a host (killed by destroy). */
  spawn(host: string, cmd: string, args: string[]): ChildProcess;
  /** Kills the processes and deletes the namespaces this set created; never throws. */
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
  return {
    ns,
    add(host, sysctls = []) {
      ip(['netns', 'add', ns(host)]);
      created.push(ns(host));
      if (sysctls.length > 0) exec(host, ['sysctl', '-qw', ...sysctls]);
      exec(host, ['ip', 'link', 'set', 'lo', 'up']);
    },
    exec,
    veth(a, b) {
      exec(a.host, ['ip', 'link', 'add', a.dev, 'type', 'veth', 'peer', 'name', b.dev, 'netns', ns(b.host)]);
      for (const end of [a, b]) {
        for (const addr of end.addrs ?? []) exec(end.host, ['ip', 'addr', 'add', addr, 'dev', end.dev, ...(addr.includes(':') ? ['nodad'] : [])]);
        exec(end.host, ['ip', 'link', 'set', end.dev, 'up']);
      }
    },
    spawn(host, cmd, args) {
      const c = spawn('ip', ['netns', 'exec', ns(host), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(c);
      return c;
    },
    destroy() {
      for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
      for (const n of created.splice(0).reverse()) {
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
