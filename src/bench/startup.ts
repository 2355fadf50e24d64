/**
 * Start-up and batch benchmark: a healthy LAN target, in its own namespaces
 * (`ndx-su-<pid>-c|s`, client 198.51.100.10/24 and server 198.51.100.20–119/24 on one veth,
 * removed at the end), a TCP listener on the server.
 *   - `netdx --version` and `netdx diagnose 198.51.100.20:7000` as whole CLI processes (wall ms);
 *   - 100 targets (100 server addresses) as 100 CLI runs: CPU seconds and peak RSS per run;
 *   - the same 100 targets in one process (diagnoseMany over one shared snapshot, concurrency 8,
 *     full walk and check-first): CPU seconds per target and the process' peak RSS.
 *
 *   - `node -e 0` beside them: what node itself costs here.
 *
 * A diagnosis takes bin/netdx.js's fast path (decision 069). The first diagnosis after a build
 * writes the V8 code cache: it is run first, untimed in the median, and reported as `firstDiagnose`
 * with the state of the cache it found.
 *
 * The CLI runs without NODE_EXTRA_CA_CERTS (node reads and parses that bundle before any of
 * netdx's code runs: 35–60 ms per start on the development VM, whose environment sets it);
 * `--keep-env` keeps the caller's environment as it is.
 *
 *   sudo node dist/bench/startup.js [--runs N] [--targets N] [--keep-env] [--json]
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { netnsSet } from '../lab/netns.js';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const id = String(process.pid % 100000);
const set = netnsSet(`ndx-su-${id}`);
const NS = { c: set.ns('c'), s: set.ns('s') };
const addr = (i: number): string => `198.51.100.${20 + i}`;
const PORT = 7000;

function build(targets: number): ChildProcess {
  set.add('c');
  set.add('s');
  set.veth({ host: 'c', dev: 'eth0', addrs: ['198.51.100.10/24'] }, { host: 's', dev: 'eth0', addrs: ['198.51.100.1/24', ...Array.from({ length: targets }, (_, i) => `${addr(i)}/24`)] });
  set.exec('c', ['ip', 'route', 'add', 'default', 'via', '198.51.100.1']);
  const server = set.spawn('s', process.execPath, ['-e', `require('net').createServer((s) => s.on('error', () => {})).listen(${PORT}, () => console.log('ready'))`]);
  return server;
}

function teardown(): void {
  set.destroy();
}

/** One command inside the client namespace under GNU time: wall ms, CPU s (user+sys), peak RSS KiB. */
let cliEnv: NodeJS.ProcessEnv = process.env;

function timed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; cpuS: number; rssKiB: number; stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile('/usr/bin/time', ['-f', '@@%U %S %M', 'ip', 'netns', 'exec', NS.c, ...args], { timeout: 60_000, maxBuffer: 64 << 20, env: { ...cliEnv, ...env } }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      const m = /@@([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({ ms, cpuS: m ? Number(m[1]) + Number(m[2]) : NaN, rssKiB: m ? Number(m[3]) : NaN, stdout, stderr, code: err && typeof err.code === 'number' ? err.code : 0 });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

/** The in-process part: run inside the client namespace as `startup.js --inner N MODE`. */
async function inner(n: number, mode: 'full' | 'check-first'): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const [{ diagnoseMany }, { liveDeps, liveFingerprint }, { snapshotCache }, { parseTarget }, { DEFAULT_OPTIONS }] = await Promise.all([
    import('../diagnose/batch.js'),
    import('../diagnose/live.js'),
    import('../diagnose/snapshot-cache.js'),
    import('../model/target.js'),
    import('../model/options.js'),
  ]);
  const deps = liveDeps();
  const provider = snapshotCache(() => deps.snapshot(), { ttlMs: 5000, fingerprint: liveFingerprint });
  const targets = Array.from({ length: n }, (_, i) => parseTarget(`${addr(i)}:${PORT}`));
  const rs = await diagnoseMany(targets, { ...DEFAULT_OPTIONS }, deps, { concurrency: 8, mode, provider });
  const cpu = process.cpuUsage(c0);
  const ok = rs.filter((r) => (r.report ? r.report.verdict === 'ok' : r.check?.ok)).length;
  process.stdout.write(
    JSON.stringify({ ok, n, wallMs: performance.now() - t0, cpuS: (cpu.user + cpu.system) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, snapshots: provider.collections }) + '\n',
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--inner') return inner(Number(argv[1]), argv[2] === 'check-first' ? 'check-first' : 'full');
  const opt = (name: string, d: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
  const runs = opt('--runs', 5);
  const n = opt('--targets', 100);
  if (!argv.includes('--keep-env') && process.env.NODE_EXTRA_CA_CERTS !== undefined) {
    const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = process.env;
    cliEnv = rest;
  }
  const server = build(n);
  const out: Record<string, unknown> = {};
  try {
    await new Promise<void>((res) => server.stdout!.once('data', () => res()));
    const version: number[] = [];
    const one: number[] = [];
    let verdicts = new Set<string>();
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) bare.push((await timed([process.execPath, '-e', '0'])).ms);
    for (let i = 0; i < runs; i++) version.push((await timed([process.execPath, BIN, '--version'])).ms);
    const first = await timed([process.execPath, BIN, 'diagnose', '--json', `${addr(0)}:${PORT}`], { NODE_DEBUG: 'netdx' });
    out.firstDiagnose = { ms: Math.round(first.ms), compileCache: /compile cache (\w+)/.exec(first.stderr)?.[1] ?? 'no fast path' };
    for (let i = 0; i < runs; i++) {
      const r = await timed([process.execPath, BIN, 'diagnose', '--json', `${addr(0)}:${PORT}`]);
      one.push(r.ms);
      verdicts.add((JSON.parse(r.stdout) as { verdict: string }).verdict);
    }
    out.env = { NODE_EXTRA_CA_CERTS: cliEnv.NODE_EXTRA_CA_CERTS === undefined ? 'unset for the runs' : 'kept' };
    out.nodeBare = { medianMs: Math.round(median(bare)), worstMs: Math.round(Math.max(...bare)) };
    out.version = { medianMs: Math.round(median(version)), worstMs: Math.round(Math.max(...version)) };
    out.diagnose = { medianMs: Math.round(median(one)), worstMs: Math.round(Math.max(...one)), verdicts: [...verdicts] };
    const cli = { cpuS: 0, rss: [] as number[], wallMs: 0, ok: 0 };
    verdicts = new Set();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await timed([process.execPath, BIN, 'diagnose', '--json', `${addr(i)}:${PORT}`]);
      cli.cpuS += r.cpuS;
      cli.rss.push(r.rssKiB);
      if ((JSON.parse(r.stdout) as { verdict: string }).verdict === 'ok') cli.ok++;
    }
    cli.wallMs = performance.now() - t0;
    out.cliRuns = { n, ok: cli.ok, wallS: +(cli.wallMs / 1000).toFixed(2), cpuSPerTarget: +(cli.cpuS / n).toFixed(3), medianRssMiB: +(median(cli.rss) / 1024).toFixed(1) };
    for (const mode of ['full', 'check-first'] as const) {
      const r = await timed([process.execPath, SELF, '--inner', String(n), mode]);
      const j = JSON.parse(r.stdout) as { ok: number; n: number; wallMs: number; cpuS: number; maxRssKiB: number; snapshots: number };
      out[mode === 'full' ? 'oneProcess' : 'oneProcessCheckFirst'] = {
        n,
        ok: j.ok,
        wallS: +(j.wallMs / 1000).toFixed(2),
        cpuSPerTarget: +(r.cpuS / n).toFixed(4),
        peakRssMiB: +(r.rssKiB / 1024).toFixed(1),
        snapshots: j.snapshots,
      };
    }
  } finally {
    teardown();
  }
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else for (const [k, v] of Object.entries(out)) console.log(k.padEnd(22), JSON.stringify(v));
}

await main();
