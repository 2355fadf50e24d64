/**
 * Bench (issue 16): netdx's own numbers beside the reference tools, on the same lab path, in the
 * same run. Two namespaces of its own (`ndx-wire-<pid>-a|b`, netnsSet) joined by a veth pair
 * (198.51.100.200/30, never linked to the root namespace), removed on exit. Needs root, iperf3,
 * wrk, nginx (scripts/setup-debian.sh).
 *   1. throughput: netdx load --bytes against netdx responder  vs  iperf3 -c against iperf3 -s (single stream)
 *   2. request rate: netdx load --http (new connection per request)  vs  wrk -H 'Connection: close', same nginx, same connections
 *
 *   bash bench/wire.sh [SECONDS=5] [CONNECTIONS=32]   (raises the open-file limit, then runs this)
 *   sudo node dist/bench/wire.js [SECONDS=5] [CONNECTIONS=32]
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupOnSignals, netnsSet, removeStaleNamespaces } from '../lab/netns.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const SECS = process.argv[2] ?? '5';
const CONNS = process.argv[3] ?? '32';
const B = '198.51.100.202';
const set = netnsSet(`ndx-wire-${process.pid}`);
const dir = mkdtempSync(join(tmpdir(), 'ndx-wire-'));
const netdx = (...args: string[]): string[] => [process.execPath, BIN, ...args];

function build(): void {
  removeStaleNamespaces(/^ndx-wire-(\d+)-/);
  set.add('a', ['net.ipv4.ip_local_port_range=1024 65000', 'net.ipv4.tcp_tw_reuse=1']);
  set.add('b', ['net.core.somaxconn=4096']);
  set.veth({ host: 'a', dev: `w${process.pid}a`, addrs: ['198.51.100.201/30'] }, { host: 'b', dev: `w${process.pid}b`, addrs: [`${B}/30`] });
}

/** The servers in b: netdx responder (its log in the bench's directory), iperf3 -s, nginx returning 200. */
function servers(): void {
  const log = openSync(join(dir, 'resp.log'), 'w');
  const [cmd, ...args] = netdx('responder', '--listen', `${B}:4790`, '--token', 'bench');
  set.spawn('b', cmd!, args, { stdio: ['ignore', log, 'inherit'] });
  closeSync(log);
  set.spawn('b', 'iperf3', ['-s', '-B', B, '-p', '5201'], { stdio: 'ignore' });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pidfile;
error_log ${dir}/nginx.err;
events { worker_connections 8192; }
http { access_log off; server { listen ${B}:80 backlog=4096; location / { return 200 "ok\\n"; } } }
`,
  );
  set.spawn('b', 'nginx', ['-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** A command in a whose output is the bench's data: its stdout; its stderr shows; a failure ends the bench. */
const measure = (args: string[]): string => {
  const r = set.run('a', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} in ${set.ns('a')}: exit ${r.status ?? r.signal}`);
  return r.stdout;
};

interface Generator {
  generator: { cpu: number; limited: boolean };
}

function throughput(): void {
  console.log(`== throughput, single stream, ${SECS}s-ish each ==`);
  for (const reverse of [false, true]) {
    const j = JSON.parse(measure(['iperf3', '-c', B, '-p', '5201', '-t', SECS, ...(reverse ? ['-R'] : []), '-J'])) as {
      end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits: number } };
    };
    console.log('iperf3', reverse ? 'download' : 'upload  ', (j.end.sum_received.bits_per_second / 1e9).toFixed(2), 'Gbit/s, retransmits', j.end.sum_sent.retransmits);
  }
  const j = JSON.parse(measure(netdx('load', `${B}:4790`, '--bytes', '4G', '--responder', `${B}:4790`, '--token', 'bench', '--json'))) as Generator & {
    throughput: { results: Array<{ direction: string; bitsPerSecond: number; retransmits: number; ms: number }> };
  };
  for (const r of j.throughput.results) console.log('netdx ', r.direction.padEnd(8), (r.bitsPerSecond / 1e9).toFixed(2), 'Gbit/s, retransmits', r.retransmits, 'in', (r.ms / 1000).toFixed(1), 's');
  console.log('netdx generator cpu', Math.round(j.generator.cpu * 100) + '%', j.generator.limited ? '(limited by itself)' : '');
}

function requestRate(): void {
  console.log(`== request rate, new connection per request, ${CONNS} connections, ${SECS}s ==`);
  const wrk = set.run('a', ['wrk', '-t', '2', '-c', CONNS, '-d', `${SECS}s`, '-H', 'Connection: close', `http://${B}/`], { stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of wrk.stdout.split('\n')) if (/Requests\/sec|Socket errors|Non-2xx/.test(line)) console.log(line);
  // Its exit status does not matter (as `|| true`): the report says what went wrong.
  const out = set.run('a', netdx('load', `http://${B}/`, '--connections', CONNS, '--duration', `${SECS}s`, '--steps', '1', '--json'), { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
  const j = JSON.parse(out) as Generator & { achievedRate: number; errors: Array<{ code: string; count: number }>; latencyMs: { total: { p50?: number; p99?: number } } };
  console.log(
    'netdx load Requests/sec',
    j.achievedRate.toFixed(0),
    'errors',
    JSON.stringify(j.errors.map((e) => e.code + ':' + e.count)),
    'p50/p99 ms',
    j.latencyMs.total.p50?.toFixed(2),
    j.latencyMs.total.p99?.toFixed(2),
    'cpu',
    Math.round(j.generator.cpu * 100) + '%',
    j.generator.limited ? '(limited by itself)' : '',
  );
}

let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  set.destroy();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  cleanupOnSignals(cleanup);
  try {
    build();
    servers();
    await sleep(1000);
    throughput();
    requestRate();
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`wire bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
