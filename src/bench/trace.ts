/**
 * Benchmark: `netdx trace` on a 5-hop lab path (namespaces a – r1 … r4 – b, built and removed
 * here) against `mtr -r -c 10` on the same path, and the PMTU search on a path whose middle link
 * has MTU 1400 (with frag-needed, and as a blackhole with frag-needed dropped), and the idle-timeout
 * search (`--idle 20`) through a firewall that forgets idle connections after 3, 5 and 8 s.
 *
 *   sudo node dist/bench/trace.js [--runs N] [--json]
 *
 * Needs root (namespaces) and the raw-socket addon. Wall times are whole CLI processes for the
 * trace (as a person runs it) and the probe's own time for the PMTU search.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { available, chain, probeIn } from '../native/testing-netns.js';
import type { Observation } from '../model/observation.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const PMTU = new URL('../probes/pmtu.js', import.meta.url);
const IDLE = new URL('../probes/idle.js', import.meta.url);
const SERVER = "require('net').createServer((s) => s.resume()).listen(7000, '0.0.0.0')";

function timed(ns: string, cmd: string, args: string[]): Promise<{ ms: number; code: number; stdout: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile('ip', ['netns', 'exec', ns, cmd, ...args], { timeout: 60_000 }, (err, stdout) => {
      resolve({ ms: performance.now() - t0, code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout) });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
  const json = argv.includes('--json');
  const why = available();
  if (why) {
    console.error(`bench/trace: ${why}`);
    process.exit(3);
  }
  const results: Record<string, { median: number; worst: number; note: string }> = {};
  const record = (name: string, xs: number[], note: string): void => {
    results[name] = { median: Math.round(median(xs)), worst: Math.round(Math.max(...xs)), note };
  };

  const c = chain(4, 'bench');
  try {
    for (const proto of ['icmp', 'tcp'] as const) {
      const times: number[] = [];
      let note = '';
      for (let i = 0; i < runs; i++) {
        const r = await timed(c.ns('a'), process.execPath, [BIN, 'trace', c.target, '--proto', proto, ...(proto === 'tcp' ? ['--port', '443'] : []), '--json']);
        times.push(r.ms);
        const j = JSON.parse(r.stdout) as { trace: { paths: Array<{ hops: Array<{ addr: string | null; lossPct: number; rateLimited: boolean }> }> } };
        const hops = j.trace.paths[0]!.hops;
        note = `${hops.length} hops; loss% per hop ${hops.map((h) => `${h.lossPct}${h.rateLimited ? 'rl' : ''}`).join('/')}`;
        await pause(200);
      }
      record(`netdx trace --proto ${proto} (10 probes/hop)`, times, note);
    }
    const mtr: number[] = [];
    let mtrNote = '';
    for (let i = 0; i < runs; i++) {
      const r = await timed(c.ns('a'), 'mtr', ['-r', '-c', '10', '-n', c.target]);
      mtr.push(r.ms);
      mtrNote = r.code === 0 ? `loss% per hop ${[...r.stdout.matchAll(/\s(\d+\.\d)%/g)].map((m) => m[1]).join('/')}` : `mtr exit ${r.code}`;
    }
    record('mtr -r -c 10 (same path)', mtr, mtrNote);
  } finally {
    c.destroy();
  }

  for (const mode of ['frag-needed', 'blackhole'] as const) {
    const p = chain(3, `bpm${mode[0]}`);
    try {
      p.sh('r2', 'ip', ['link', 'set', 'e3l', 'mtu', '1400']);
      p.sh('r3', 'ip', ['link', 'set', 'e3r', 'mtu', '1400']);
      if (mode === 'blackhole') p.sh('r2', 'iptables', ['-A', 'OUTPUT', '-p', 'icmp', '--icmp-type', 'fragmentation-needed', '-j', 'DROP']);
      const times: number[] = [];
      let note = '';
      for (let i = 0; i < runs; i++) {
        const obs = await probeIn<Observation[]>(p, 'a', PMTU, { address: p.target });
        const o = obs.find((x) => x.kind === 'pmtu.search');
        if (o?.kind !== 'pmtu.search') throw new Error('no pmtu.search');
        times.push(o.ms);
        note = `largest pass ${o.data.largestPass}, smallest fail ${o.data.smallestFail}, frag-needed ${o.data.fragNeeded ? o.data.fragNeeded.mtu : 'none'}, ${o.data.probes} probes`;
      }
      record(`pmtu search (${mode}, link MTU 1400)`, times, note);
    } finally {
      p.destroy();
    }
  }

  // Idle-timeout search: the whole search against the timeout it finds (the issue asks ≤ ~1.5×).
  for (const timeoutSec of [3, 5, 8]) {
    const c2 = chain(1, `bid${timeoutSec}`);
    try {
      c2.sh('r1', 'iptables', ['-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
      c2.sh('r1', 'sysctl', ['-qw', `net.netfilter.nf_conntrack_tcp_timeout_established=${timeoutSec}`, 'net.netfilter.nf_conntrack_tcp_loose=0']);
      c2.spawn('b', process.execPath, ['-e', SERVER]);
      await pause(400);
      const times: number[] = [];
      let note = '';
      for (let i = 0; i < Math.min(runs, 2); i++) {
        const obs = await probeIn<Observation[]>(c2, 'a', IDLE, { address: c2.target, port: 7000, maxSec: 20 }, 40_000);
        const o = obs.find((x) => x.kind === 'tcp.idle');
        if (o?.kind !== 'tcp.idle') throw new Error('no tcp.idle');
        times.push(o.data.ms);
        note = `alive ${o.data.aliveSec} s, dead ${o.data.deadSec} s; search / timeout = ${(o.data.ms / 1000 / timeoutSec).toFixed(2)}×`;
      }
      record(`idle search (--idle 20, firewall forgets after ${timeoutSec} s)`, times, note);
    } finally {
      c2.destroy();
    }
  }

  if (json) {
    process.stdout.write(JSON.stringify({ runs, results }, null, 2) + '\n');
    return;
  }
  console.log(`runs per case: ${runs}`);
  for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(56)} median ${String(r.median).padStart(6)} ms  worst ${String(r.worst).padStart(6)} ms  ${r.note}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
