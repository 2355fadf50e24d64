/**
 * Test and bench helper: a chain of network namespaces `a – r1 – … – rN – b` joined by veth pairs,
 * with forwarding enabled inside the routers only. Nothing is added to the root namespace (the
 * veth ends are moved into the namespaces at creation). Names start with `ndx-tr-<pid>-`.
 *
 *   a  198.51.100.1/30 ── r1 ── … ── rN ── b 203.0.113.2/30
 *   link i (between hop i-1 and hop i): 198.51.100.(4i)/30; the last link: 203.0.113.0/30
 *
 * Needs root and iproute2; `available()` says whether it can run here.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { netnsSet, removeStaleNamespaces } from '../lab/netns.js';

export interface Chain {
  /** Full namespace name of a host: 'a', 'b', 'r1' … */
  ns(host: string): string;
  /** Address of a host on its link towards b (a, routers) or its only address (b). */
  addr(host: string): string;
  /** Address of router i on its a-side link (what a trace from a shows as hop i). */
  hopAddr(i: number): string;
  /** Runs a command inside a host; returns stdout. Throws when it fails. */
  sh(host: string, cmd: string, args: string[]): string;
  /** Starts a long-running process inside a host (killed by destroy). */
  spawn(host: string, cmd: string, args: string[]): ChildProcess;
  destroy(): void;
  target: string;
  routers: number;
}

const ip = (args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export function available(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    ip(['-V']);
  } catch {
    return 'iproute2 (ip) is not installed';
  }
  return null;
}

/** Removes `ndx-tr-<pid>-…` namespaces left by a test process that died before its cleanup. */
export function removeStale(): void {
  removeStaleNamespaces(/^ndx-tr-(\d+)-\S+$/);
}

export function chain(routers: number, tag = 'c'): Chain {
  if (routers < 1 || routers > 60) throw new Error('routers: 1…60');
  removeStale();
  const set = netnsSet(`ndx-tr-${process.pid}-${tag}`);
  const hosts = ['a', ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), 'b'];
  // link i joins hosts[i-1] and hosts[i], i = 1 … routers+1
  const left = (i: number): string => (i === routers + 1 ? '203.0.113.1' : `198.51.100.${4 * (i - 1) + 1}`);
  const right = (i: number): string => (i === routers + 1 ? '203.0.113.2' : `198.51.100.${4 * (i - 1) + 2}`);
  try {
    for (const h of hosts) set.add(h);
    for (let i = 1; i <= routers + 1; i++) set.veth({ host: hosts[i - 1]!, dev: `e${i}l`, addrs: [`${left(i)}/30`] }, { host: hosts[i]!, dev: `e${i}r`, addrs: [`${right(i)}/30`] });
    set.exec('a', ['ip', 'route', 'add', 'default', 'via', right(1)]);
    set.exec('b', ['ip', 'route', 'add', 'default', 'via', left(routers + 1)]);
    for (let k = 1; k <= routers; k++) {
      const h = `r${k}`;
      set.exec(h, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      set.exec(h, ['ip', 'route', 'add', '198.51.100.0/24', 'via', left(k)]);
      if (k < routers) set.exec(h, ['ip', 'route', 'add', '203.0.113.0/24', 'via', right(k + 1)]);
    }
  } catch (err) {
    set.destroy();
    throw err;
  }
  return {
    ns: set.ns,
    addr: (h) => (h === 'b' ? right(routers + 1) : h === 'a' ? left(1) : left(Number(h.slice(1)) + 1)),
    hopAddr: (i) => (i === routers + 1 ? right(routers + 1) : right(i)),
    sh: (h, cmd, args) => set.exec(h, [cmd, ...args]),
    spawn: (h, cmd, args) => set.spawn(h, cmd, args),
    destroy: () => set.destroy(),
    target: right(routers + 1),
    routers,
  };
}

/**
 * Runs `run(input, ctx)` of a compiled probe module inside a host of the chain and returns its
 * observations (the probe sends its packets from that namespace).
 */
export function probeIn<T>(c: Chain, host: string, moduleUrl: URL, input: unknown, budgetMs = 5000): Promise<T> {
  const code = `import(${JSON.stringify(moduleUrl.href)}).then(async (m) => { const o = await m.run(${JSON.stringify(input)}, { signal: AbortSignal.timeout(${budgetMs}), budgetMs: ${budgetMs}, log() {} }); process.stdout.write(JSON.stringify(o)); })`;
  return new Promise((resolve, reject) => {
    const child = c.spawn(host, process.execPath, ['-e', code]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`probe in ${host} exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`probe in ${host}: not JSON: ${out.slice(0, 200)} ${err}`));
      }
    });
  });
}

/**
 * A diamond for --paths: a – r1 ={r2a, r2b}= r3 – b, where r1 balances 203.0.113.0/24 over r2a and
 * r2b per flow (ECMP, fib_multipath_hash_policy=1: addresses and ports). Hop 2 is r2a
 * (198.51.100.6) or r2b (198.51.100.10) depending on the flow.
 */
export function diamond(tag = 'd'): Chain & { hop2: [string, string] } {
  removeStale();
  const set = netnsSet(`ndx-tr-${process.pid}-${tag}`);
  const hosts = ['a', 'r1', 'r2a', 'r2b', 'r3', 'b'];
  const exec = (h: string, args: string[]): string => set.exec(h, args);
  const links: Array<[string, string, string, string]> = [
    ['a', 'r1', '198.51.100.1', '198.51.100.2'],
    ['r1', 'r2a', '198.51.100.5', '198.51.100.6'],
    ['r1', 'r2b', '198.51.100.9', '198.51.100.10'],
    ['r2a', 'r3', '198.51.100.13', '198.51.100.14'],
    ['r2b', 'r3', '198.51.100.17', '198.51.100.18'],
    ['r3', 'b', '203.0.113.1', '203.0.113.2'],
  ];
  try {
    for (const h of hosts) set.add(h);
    links.forEach(([l, r, la, ra], i) => set.veth({ host: l, dev: `d${i}l`, addrs: [`${la}/30`] }, { host: r, dev: `d${i}r`, addrs: [`${ra}/30`] }));
    for (const h of ['r1', 'r2a', 'r2b', 'r3']) exec(h, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    exec('r1', ['sysctl', '-qw', 'net.ipv4.fib_multipath_hash_policy=1']);
    exec('a', ['ip', 'route', 'add', 'default', 'via', '198.51.100.2']);
    exec('r1', ['ip', 'route', 'add', '203.0.113.0/24', 'nexthop', 'via', '198.51.100.6', 'nexthop', 'via', '198.51.100.10']);
    exec('r1', ['ip', 'route', 'add', '198.51.100.12/30', 'via', '198.51.100.6']);
    exec('r1', ['ip', 'route', 'add', '198.51.100.16/30', 'via', '198.51.100.10']);
    exec('r2a', ['ip', 'route', 'add', '198.51.100.0/24', 'via', '198.51.100.5']);
    exec('r2a', ['ip', 'route', 'add', '203.0.113.0/24', 'via', '198.51.100.14']);
    exec('r2b', ['ip', 'route', 'add', '198.51.100.0/24', 'via', '198.51.100.9']);
    exec('r2b', ['ip', 'route', 'add', '203.0.113.0/24', 'via', '198.51.100.18']);
    exec('r3', ['ip', 'route', 'add', '198.51.100.0/24', 'via', '198.51.100.13']);
    exec('b', ['ip', 'route', 'add', 'default', 'via', '203.0.113.1']);
  } catch (err) {
    set.destroy();
    throw err;
  }
  return {
    ns: set.ns,
    addr: (h) => links.find(([l]) => l === h)?.[2] ?? '203.0.113.2',
    hopAddr: (i) => ['198.51.100.2', '198.51.100.6', '198.51.100.14', '203.0.113.2'][i - 1] ?? '',
    sh: (h, cmd, args) => exec(h, [cmd, ...args]),
    spawn: (h, cmd, args) => set.spawn(h, cmd, args),
    destroy: () => set.destroy(),
    target: '203.0.113.2',
    routers: 3,
    hop2: ['198.51.100.6', '198.51.100.10'],
  };
}

/**
 * Waits until something inside `host` listens on TCP `port` (polls `ss` every 20 ms): tests wait
 * for their servers' readiness, not for a fixed time. Throws after `timeoutMs`.
 */
export async function waitListening(c: Pick<Chain, 'sh'>, host: string, port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let out = '';
    try {
      out = c.sh(host, 'ss', ['-Hltn', `sport = :${port}`]);
    } catch {
      out = '';
    }
    if (out.trim() !== '') return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
