/**
 * Bench of `netdx server` under a fleet: N simulated agents (default 1,000), in-process clients
 * speaking the real protocol over HTTP on loopback, each sending a heartbeat (3 targets) every
 * interval, spread over it, and now and then a state change with a full report (~10 KB) — to ONE
 * server process (`node bin/netdx.js server`), on SQLite and on PostgreSQL (a private throwaway
 * cluster). Measures ingest latency (p50/p99/max per POST, client side), the server's CPU and RSS,
 * events/s, and the database's growth extrapolated to a day. Then `kill -9` of the server under
 * that load and a restart on the same data: every agent keeps numbering its events and resends
 * what was not acknowledged, as the real agent does; at the end, for every agent, the events it
 * numbered must equal the events the server stored (none lost, none twice).
 *
 *   sudo node dist/bench/fleet.js [--agents 1000] [--interval 10] [--seconds 60] [--engine sqlite|postgres|both] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../fleet/db.js';
import { FleetStore } from '../fleet/store.js';
import { PROTOCOL_VERSION, type AgentEvent } from '../fleet/protocol.js';
import { freePort, postgresMissing, startPostgres } from '../fleet/pg-testing.js';
import { cpuSeconds, pct, rssMB } from './proc.js';
import { REPORT_SCHEMA_ID, type Report } from '../model/report.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const AGENTS = Number(arg('agents', '1000'));
const INTERVAL_S = Number(arg('interval', '10'));
const SECONDS = Number(arg('seconds', '60'));
const ENGINES = arg('engine', 'both') === 'both' ? (['sqlite', 'postgres'] as const) : ([arg('engine', 'sqlite')] as Array<'sqlite' | 'postgres'>);
const JSON_OUT = process.argv.includes('--json');
const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const CHANGE_P = 0.02;
const TARGETS = ['app', 'vpn', 'api'];
const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A realistic report: a NET-004 finding and ~10 KB of observations. */
function report(agent: string): Report {
  const f = {
    code: 'NET-004',
    slug: 'route-conflict',
    layer: 'network' as const,
    severity: 'error' as const,
    title: 'Traffic to 203.0.113.80 goes via 100.64.20.254 dev eth0, not via 100.64.20.1',
    explanation: 'A more specific route wins over the default route.',
    evidence: [{ observation: 'route.lookup', summary: 'route to 203.0.113.80 via 100.64.20.254 dev eth0' }],
    fix: [{ summary: 'Delete the route', command: 'ip route del 203.0.113.80/32 via 100.64.20.254' }],
  };
  const candidates = Array.from({ length: 30 }, (_, i) => ({
    prefix: `198.51.100.${i}/32`,
    table: 'main',
    dev: 'eth0',
    gateway: '100.64.20.1',
    metric: i,
    type: 'unicast',
    text: `198.51.100.${i} via 100.64.20.1 dev eth0 metric ${i}`,
  }));
  const observations = Array.from({ length: 8 }, (_, i) => ({
    kind: 'route.lookup',
    at: new Date().toISOString(),
    ms: i,
    data: {
      destination: '203.0.113.80',
      family: 4,
      outcome: 'route',
      dev: 'eth0',
      gateway: '100.64.20.254',
      src: '100.64.20.10',
      table: 'main',
      route: `203.0.113.80 via 100.64.20.254 dev eth0 (${agent})`,
      candidates,
      rules: [],
    },
  }));
  return {
    schema: REPORT_SCHEMA_ID,
    target: { input: '203.0.113.80:443', host: '203.0.113.80', port: 443, protocol: 'tcp' },
    startedAt: new Date().toISOString(),
    durationMs: 900,
    verdict: 'fault',
    primary: f,
    findings: [f],
    layers: [],
    observations,
  };
}

interface SimAgent {
  name: string;
  token: string;
  seq: number;
  outbox: AgentEvent[];
  sending: boolean;
  down: boolean;
}

class Fleet {
  readonly agents: SimAgent[] = [];
  readonly latencies: number[] = [];
  failures = 0;
  posts = 0;
  private timers: NodeJS.Timeout[] = [];
  constructor(private readonly base: () => string) {}

  /** Each agent ticks every interval at its own offset; a failed send is retried on the next second. */
  start(): void {
    this.agents.forEach((a, i) => {
      const offset = (i / this.agents.length) * INTERVAL_S * 1000;
      const t = setTimeout(() => {
        this.tick(a);
        this.timers.push(setInterval(() => this.tick(a), INTERVAL_S * 1000));
      }, offset);
      this.timers.push(t);
    });
    this.timers.push(setInterval(() => this.agents.forEach((a) => a.outbox.length > 0 && void this.send(a)), 1000));
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private tick(a: SimAgent): void {
    if (Math.random() < CHANGE_P) {
      a.down = !a.down;
      a.outbox.push({
        seq: ++a.seq,
        at: Date.now(),
        kind: 'change',
        target: 'app',
        from: a.down ? 'up' : 'down',
        to: a.down ? 'down' : 'up',
        codes: a.down ? ['NET-004'] : [],
        report: a.down ? report(a.name) : null,
      });
    }
    a.outbox.push({
      seq: ++a.seq,
      at: Date.now(),
      kind: 'heartbeat',
      targets: TARGETS.map((t) => ({ target: t, state: t === 'app' && a.down ? 'down' : 'up', since: 1, codes: t === 'app' && a.down ? ['NET-004'] : [] })),
      version: 'bench',
    });
    void this.send(a);
  }

  async send(a: SimAgent): Promise<void> {
    if (a.sending || a.outbox.length === 0) return;
    a.sending = true;
    const events = a.outbox.slice(0, 200);
    const t0 = performance.now();
    try {
      const r = await fetch(`${this.base()}/api/agent/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: PROTOCOL_VERSION, agent: a.name, events }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await r.json()) as { acked?: number };
      if ((r.status === 200 || r.status === 409) && typeof body.acked === 'number') {
        const acked = body.acked;
        a.outbox = a.outbox.filter((e) => e.seq > acked);
        if (r.status === 200) this.latencies.push(performance.now() - t0);
      } else this.failures++;
      this.posts++;
    } catch {
      this.failures++;
    } finally {
      a.sending = false;
    }
  }

  pending(): number {
    return this.agents.reduce((n, a) => n + a.outbox.length, 0);
  }
}

interface Server {
  child: ChildProcess;
  base: string;
}

async function startServer(args: string[], port: number): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', `127.0.0.1:${port}`, '--heartbeat', String(INTERVAL_S), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`netdx server exited with ${child.exitCode}`);
    if (
      await fetch(`${base}/-/healthy`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return { child, base };
    await sleep(100);
  }
  throw new Error('netdx server did not come up');
}

export interface EngineResult {
  engine: string;
  agents: number;
  intervalS: number;
  seconds: number;
  posts: number;
  eventsPerS: number;
  ingestMs: { p50: number; p99: number; max: number };
  failures: number;
  serverCpuPct: number;
  serverRssMB: number;
  dbBytesPerDay: number;
  dbBytes: number;
  crash: { killedUnder: number; recoveredS: number; numbered: number; stored: number; lost: number; twice: number; duplicatesSkipped: number };
}

interface Run {
  store: FleetStore;
  fleet: Fleet;
  server: Server;
  serverArgs: string[];
  port: number;
  pg: boolean;
}

async function setup(engine: 'sqlite' | 'postgres', dir: string, pgUrl: string | null): Promise<Run> {
  const serverArgs = pgUrl ? ['--db', pgUrl] : ['--data', join(dir, 'data')];
  writeFileSync(join(dir, 'targets.yaml'), `targets:\n${TARGETS.map((t, i) => `  - name: ${t}\n    target: 203.0.113.${80 + i}:443\n`).join('')}`);
  serverArgs.push('--targets', join(dir, 'targets.yaml'));
  const store = new FleetStore(await openDb(pgUrl ? { url: pgUrl } : { dir: join(dir, 'data') }));
  const run = { store, serverArgs, port: await freePort(), pg: pgUrl !== null } as Run;
  run.fleet = new Fleet(() => run.server.base);
  for (let i = 0; i < AGENTS; i++) {
    const name = `agent-${String(i).padStart(4, '0')}`;
    const region = ['bj', 'sh', 'sz'][i % 3]!;
    run.fleet.agents.push({ name, token: (await store.createToken('agent', name, { region, site: `${region}-${i % 10}` })).token, seq: 0, outbox: [], sending: false, down: false });
  }
  run.server = await startServer(serverArgs, run.port);
  log(`${engine}: ${AGENTS} agents every ${INTERVAL_S} s for ${SECONDS} s`);
  return run;
}

/**
 * The state changes are the one table that grows with time (reports, states and agents are one row
 * per agent and target): its bytes with its indexes; and the whole database.
 */
async function bytes(run: Run, what: 'history' | 'total'): Promise<number> {
  const sql = run.pg
    ? what === 'history'
      ? "SELECT pg_total_relation_size('changes') AS n"
      : "SELECT pg_database_size('netdx') AS n"
    : what === 'history'
      ? "SELECT SUM(pgsize) AS n FROM dbstat WHERE name IN ('changes', 'changes_at', 'sqlite_autoindex_changes_1')"
      : 'SELECT SUM(pgsize) AS n FROM dbstat';
  return Number((await run.store.db.get<{ n: number }>(sql))!.n);
}

async function steady(run: Run): Promise<Omit<EngineResult, 'engine' | 'crash'>> {
  const { fleet } = run;
  fleet.start();
  await sleep(INTERVAL_S * 1000); // warm-up: every agent has registered
  fleet.latencies.length = 0;
  fleet.failures = 0;
  const posts0 = fleet.posts;
  const pid = run.server.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const history0 = await bytes(run, 'history');
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const wall = (Date.now() - t0) / 1000;
  const lat = [...fleet.latencies];
  return {
    agents: AGENTS,
    intervalS: INTERVAL_S,
    seconds: Math.round(wall),
    posts: fleet.posts - posts0,
    eventsPerS: round((fleet.posts - posts0) / wall),
    ingestMs: { p50: round(pct(lat, 50)), p99: round(pct(lat, 99)), max: round(Math.max(...lat)) },
    failures: fleet.failures,
    serverCpuPct: round(((cpuSeconds(pid) - cpu0) / wall) * 100),
    serverRssMB: Math.round(rssMB(pid)),
    dbBytesPerDay: Math.round((((await bytes(run, 'history')) - history0) / wall) * 86_400),
    dbBytes: await bytes(run, 'total'),
  };
}

/** kill -9 under load, 3 s down, restart on the same data; every outbox drains; then count. */
async function crash(run: Run, engine: string): Promise<EngineResult['crash']> {
  const { fleet } = run;
  log(`${engine}: kill -9 of the server under load`);
  run.server.child.kill('SIGKILL');
  await sleep(3000);
  const killedUnder = fleet.pending();
  const tRestart = Date.now();
  run.server = await startServer(run.serverArgs, run.port);
  while (fleet.pending() > 0 && Date.now() - tRestart < 120_000) await sleep(200);
  const recoveredS = round((Date.now() - tRestart) / 1000);
  fleet.stop();
  while (fleet.pending() > 0 && Date.now() - tRestart < 150_000) {
    await Promise.all(fleet.agents.map((a) => fleet.send(a)));
    await sleep(200);
  }
  const rows = new Map((await run.store.agents(0)).map((a) => [a.name, a]));
  const c = { killedUnder, recoveredS, numbered: 0, stored: 0, lost: 0, twice: 0, duplicatesSkipped: 0 };
  for (const a of fleet.agents) {
    const r = rows.get(a.name);
    c.numbered += a.seq;
    c.stored += r?.events ?? 0;
    c.duplicatesSkipped += r?.duplicates ?? 0;
    c.lost += Math.max(0, a.seq - (r?.events ?? 0));
    c.twice += Math.max(0, (r?.events ?? 0) - a.seq);
  }
  return c;
}

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-fleet-bench-'));
  const pg = engine === 'postgres' ? await startPostgres() : null;
  let run: Run | null = null;
  try {
    run = await setup(engine, dir, pg?.url ?? null);
    const s = await steady(run);
    const c = await crash(run, engine);
    return { engine, ...s, crash: c };
  } finally {
    run?.fleet.stop();
    if (run && run.server.child.exitCode === null) run.server.child.kill('SIGTERM');
    await run?.store.db.close();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const results: EngineResult[] = [];
  for (const e of ENGINES) {
    if (e === 'postgres' && postgresMissing()) {
      log(`postgres skipped: ${postgresMissing()}`);
      continue;
    }
    results.push(await runEngine(e));
  }
  if (JSON_OUT) return void process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  const rows: Array<[string, (r: EngineResult) => string]> = [
    ['agents × interval', (r) => `${r.agents} × ${r.intervalS} s`],
    ['POSTs/s (events batches)', (r) => String(r.eventsPerS)],
    ['ingest p50 / p99 / max', (r) => `${r.ingestMs.p50} / ${r.ingestMs.p99} / ${r.ingestMs.max} ms`],
    ['server CPU (of one core)', (r) => `${r.serverCpuPct} %`],
    ['server RSS', (r) => `${r.serverRssMB} MB`],
    ['database size after the run', (r) => `${(r.dbBytes / 1e6).toFixed(1)} MB`],
    ['history growth per day (state changes)', (r) => `${(r.dbBytesPerDay / 1e6).toFixed(1)} MB`],
    ['failed POSTs (steady)', (r) => String(r.failures)],
    ['kill -9: events waiting after 3 s down', (r) => String(r.crash.killedUnder)],
    ['kill -9: drained after restart', (r) => `${r.crash.recoveredS} s`],
    ['events numbered / stored', (r) => `${r.crash.numbered} / ${r.crash.stored}`],
    ['lost / stored twice', (r) => `${r.crash.lost} / ${r.crash.twice}`],
    ['resent and skipped as duplicates', (r) => String(r.crash.duplicatesSkipped)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${''.padEnd(w)}  ${results.map((r) => r.engine.padStart(24)).join('')}\n`);
  for (const [k, f] of rows) process.stdout.write(`${k.padEnd(w)}  ${results.map((r) => f(r).padStart(24)).join('')}\n`);
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
