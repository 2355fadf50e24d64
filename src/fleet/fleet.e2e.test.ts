/**
 * The fleet end to end on loopback: a real server (SQLite in a temp dir), three real agents
 * (in-process, real checks and diagnoses of loopback targets), real HTTP. Covers the incident for
 * a target down for everyone, tokens and their refusals, bad batches, compare on demand, and
 * exactly-once delivery across a server outage (the agents spool, then deliver in order).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the JSON bodies of the API under test are read field by field */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDb } from './db.js';
import { FleetStore } from './store.js';
import { createFleetServer, type FleetServer } from './server.js';
import { loadTargets } from './targets.js';
import { runAgent, type RunningAgent } from './agent.js';
import { until } from '../monitor/testing.js';
import { selfSigned } from '../cli/testing.js';
import { PROTOCOL_VERSION, MAX_BODY_BYTES } from './protocol.js';
import { freePort, postgresMissing, startPostgres } from './pg-testing.js';

async function listenOn(port = 0): Promise<net.Server> {
  const s = net.createServer((c) => c.end());
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
  return s;
}

interface Srv {
  fleet: FleetServer;
  store: FleetStore;
  base: string;
  stop(): Promise<void>;
}

async function startServer(where: { dir: string } | { url: string }, targetsFile: string, port: number): Promise<Srv> {
  const store = new FleetStore(await openDb(where));
  const targets = loadTargets(targetsFile);
  const fleet = createFleetServer({ store, targets: () => targets, lang: 'en', heartbeatS: 1, tickMs: 200, log: () => {}, tokenCacheMs: 0 });
  await new Promise<void>((r) => fleet.server.listen(port, '127.0.0.1', () => r()));
  return {
    fleet,
    store,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      await fleet.close();
      await store.db.close();
    },
  };
}

function startAgent(server: string, token: string, data: string): Promise<{ a: RunningAgent; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let stop!: (s: string) => void;
    const stopSignal = new Promise<string>((r) => (stop = r));
    const done = runAgent({ server, token, name: null, data, lang: 'en', log: () => {}, stopSignal, pollWaitS: 2, onReady: (a) => resolve({ a, stop: async () => (stop('test'), await done) }) });
    done.catch(reject);
  });
}

const api = async (base: string, path: string, token: string | null, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
  const r = await fetch(base + path, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: r.status, body };
};

const pgSkip = postgresMissing();

for (const engine of ['sqlite', 'postgres'] as const)
  test(`fleet on loopback (${engine}): incidents, tokens, bad input, compare, exactly-once across a server outage`, { timeout: 120_000, skip: engine === 'postgres' ? (pgSkip ?? false) : false }, () =>
    scenario(engine),
  );

async function scenario(engine: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-fleet-'));
  const pg = engine === 'postgres' ? await startPostgres() : null;
  const where = pg ? { url: pg.url } : { dir: join(dir, 'srv') };
  const app = await listenOn();
  const appPort = (app.address() as AddressInfo).port;
  const deadPort = await freePort();
  const targetsFile = join(dir, 'targets.yaml');
  writeFileSync(
    targetsFile,
    `interval: 1s\ndown-after: 1\ntargets:\n  - name: app\n    target: 127.0.0.1:${appPort}\n    protocol: tcp\n  - name: dead\n    target: 127.0.0.1:${deadPort}\n    protocol: tcp\n    timeout: 2s\n`,
  );
  const port = await freePort();
  let srv = await startServer(where, targetsFile, port);
  const tokens: string[] = [];
  for (const [name, region] of [
    ['a-01', 'a'],
    ['a-02', 'a'],
    ['b-01', 'b'],
  ] as const)
    tokens.push((await srv.store.createToken('agent', name, { region })).token);
  const op = (await srv.store.createToken('operator', 'alice', {})).token;
  const agents = await Promise.all(tokens.map((t, i) => startAgent(srv.base, t, join(dir, `agent-${i}`))));
  try {
    // 1. The dead target is down for every agent: one incident, scoped to the target, located.
    const inc = await until(
      'the incident for dead',
      async () => {
        const r = await api(srv.base, '/api/incidents', op);
        const i = (r.body as any[]).find((x) => x.target === 'dead' && x.locatedAt);
        return i && i.agents.length === 3 ? i : null;
      },
      40_000,
    );
    assert.equal(inc.code, 'TCP-001');
    assert.deepEqual(inc.scope, { kind: 'target' });
    assert.match(inc.summary, /^dead — TCP-001 port-closed on 3\/3 agents/);
    assert.equal(inc.timeline[1].met, true);
    const one = await api(srv.base, `/api/incidents/${inc.id}`, op);
    assert.equal(one.body.id, inc.id);
    const list = await api(srv.base, '/api/agents', op);
    assert.deepEqual(
      (list.body as any[]).map((a) => a.name),
      ['a-01', 'a-02', 'b-01'],
    );
    assert.equal((list.body as any[]).find((a) => a.name === 'b-01').labels.region, 'b');

    // 2. Tokens: none, unknown, the wrong kind, another agent's name, revoked.
    assert.equal((await api(srv.base, '/api/incidents', null)).status, 401);
    assert.equal((await api(srv.base, '/api/incidents', 'ndxo_nope')).status, 401);
    assert.equal((await api(srv.base, '/api/incidents', tokens[0]!)).status, 403);
    assert.equal((await api(srv.base, '/api/agent/config', op)).status, 403);
    const spoof = await api(srv.base, '/api/agent/events', tokens[0]!, {
      method: 'POST',
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, agent: 'b-01', events: [{ seq: 1, at: 1, kind: 'heartbeat', targets: [], version: 'x' }] }),
    });
    assert.equal(spoof.status, 403);
    const extra = (await srv.store.createToken('agent', 'z-09', { region: 'z' })).token;
    assert.equal((await api(srv.base, '/api/agent/config', extra)).status, 200);
    await srv.store.revokeToken('z-09');
    const revoked = await api(srv.base, '/api/agent/config', extra);
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.error, /revoked/);
    const metrics = await api(srv.base, '/metrics', op);
    assert.match(metrics.body, /netdx_fleet_auth_failures_total\{reason="unknown"\} [1-9]/);
    assert.match(metrics.body, /netdx_fleet_auth_failures_total\{reason="revoked"\} [1-9]/);
    assert.match(metrics.body, /netdx_fleet_incidents_open\{target="dead",code="TCP-001",scope="target"\} 1/);

    // 3. Bad batches: not JSON, too large, a field wrong, a gap, a replay. None is stored half.
    const t2 = (await srv.store.createToken('agent', 'probe', {})).token;
    const post = (body: string) => api(srv.base, '/api/agent/events', t2, { method: 'POST', body });
    assert.equal((await post('{not json')).status, 400);
    assert.equal((await post('x'.repeat(MAX_BODY_BYTES + 1))).status, 413);
    const bad = await post(
      JSON.stringify({
        protocol: PROTOCOL_VERSION,
        agent: 'probe',
        events: [{ seq: 1, at: 1, kind: 'heartbeat', targets: [{ target: 'app', state: 'sideways', since: 1, codes: [] }], version: 'x' }],
      }),
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /events\.0\.targets\.0\.state/);
    const hb = (seq: number) => ({ seq, at: 1, kind: 'heartbeat', targets: [{ target: 'app', state: 'up', since: 1, codes: [] }], version: 'x' });
    assert.equal((await post(JSON.stringify({ protocol: PROTOCOL_VERSION, agent: 'probe', events: [hb(2)] }))).status, 409);
    assert.deepEqual((await post(JSON.stringify({ protocol: PROTOCOL_VERSION, agent: 'probe', events: [hb(1), hb(2)] }))).body, { acked: 2, duplicates: 0 });
    assert.deepEqual((await post(JSON.stringify({ protocol: PROTOCOL_VERSION, agent: 'probe', events: [hb(2), hb(3)] }))).body, { acked: 3, duplicates: 1 });
    assert.equal((await post(JSON.stringify({ protocol: PROTOCOL_VERSION, agent: 'probe', events: [hb(4), hb(6)] }))).status, 400);
    assert.equal((await srv.store.agents(0)).find((a) => a.name === 'probe')!.acked, 3);
    // A runaway agent is slowed down (429 with Retry-After), not served without end.
    const burst = await Promise.all(
      Array.from({ length: 120 }, () =>
        fetch(srv.base + '/api/agent/config', { headers: { authorization: `Bearer ${t2}` } }).then(async (r) => (await r.text(), { status: r.status, retry: r.headers.get('retry-after') })),
      ),
    );
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(limited.length > 0 && limited.length < 120, `${limited.length} of 120 refused`);
    assert.match(limited[0]!.retry ?? '', /^[1-9]\d*$/);
    await srv.store.revokeToken('probe');

    // 4. Compare on demand: every connected agent diagnoses now; all fail the same way.
    const cmp = await api(srv.base, '/api/compare', op, { method: 'POST', body: JSON.stringify({ target: 'dead', timeoutS: 30 }) });
    assert.equal(cmp.status, 200, JSON.stringify(cmp.body));
    assert.equal(cmp.body.asked, 3);
    assert.equal(cmp.body.answered, 3);
    assert.deepEqual(
      cmp.body.failing.map((f: any) => f.code),
      ['TCP-001', 'TCP-001', 'TCP-001'],
    );
    assert.equal((await api(srv.base, '/api/compare', op, { method: 'POST', body: JSON.stringify({ target: 'dead', selector: 'region=nowhere' }) })).status, 404);

    // 5. The server goes away; app goes down meanwhile; the agents spool and deliver on return.
    await srv.stop();
    await new Promise<void>((r) => app.close(() => r()));
    await until('the agents to see app down', () => (agents.every((x) => x.a.monitor()!.target('app')!.state === 'down') ? true : null), 20_000);
    assert.ok(agents.every((x) => x.a.spool.pending > 0));
    srv = await startServer(where, targetsFile, port);
    await until('every spooled event delivered', () => (agents.every((x) => x.a.spool.pending === 0) ? true : null), 30_000);
    const appInc = await until('the incident for app', async () => (await srv.store.incidents('open')).find((i) => i.target === 'app') ?? null, 20_000);
    assert.equal(appInc.code, 'TCP-001');
    // Exactly once: at a moment when nothing is in flight (the agents keep sending a heartbeat a
    // second), the server holds every seq each agent ever numbered, and stored each of them once.
    const settled = await until(
      'a moment with every agent caught up',
      async () => {
        const before = agents.map((x) => x.a.spool.lastSeq);
        const rows = await srv.store.agents(0);
        const ok = agents.every((x, i) => x.a.spool.pending === 0 && x.a.spool.lastSeq === before[i] && rows.find((r) => r.name === x.a.name)?.acked === before[i]);
        return ok ? agents.map((x, i) => ({ name: x.a.name, numbered: before[i]!, row: rows.find((r) => r.name === x.a.name)! })) : null;
      },
      20_000,
      50,
    );
    for (const s of settled) {
      assert.equal(s.row.acked, s.numbered, s.name);
      assert.equal(s.row.events, s.numbered, s.name);
    }
    const changes = await srv.store.changes(1000);
    for (const x of agents) {
      const mine = changes.filter((c) => c.agent === x.a.name && c.target === 'app');
      assert.deepEqual(
        mine
          .map((c) => c.to)
          .reverse()
          .slice(-1),
        ['down'],
        x.a.name,
      );
    }
  } finally {
    await Promise.all(agents.map((x) => x.stop()));
    await srv.stop().catch(() => undefined);
    app.close();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('netdx agent (the CLI) reaches an HTTPS server that its NODE_EXTRA_CA_CERTS trusts, and refuses one it does not', { timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const bin = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'netdx-fleet-tls-'));
  selfSigned(dir, { cn: 'fleet', san: 'IP:127.0.0.1', days: 2 });
  const { readFileSync } = await import('node:fs');
  const store = new FleetStore(await openDb({ dir: join(dir, 'srv') }));
  const fleet = createFleetServer({
    store,
    targets: () => loadTargets(null),
    lang: 'en',
    heartbeatS: 1,
    tickMs: 500,
    log: () => {},
    tls: { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') },
  });
  await new Promise<void>((r) => fleet.server.listen(0, '127.0.0.1', () => r()));
  const url = `https://127.0.0.1:${(fleet.server.address() as AddressInfo).port}`;
  const runAgentCli = (name: string, env: NodeJS.ProcessEnv) => {
    return store.createToken('agent', name, { region: 'x' }).then(({ token }) => {
      const c = spawn(process.execPath, [bin, 'agent', '--server', url, '--token', token, '--lang', 'en'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return { c, err: () => err };
    });
  };
  const trusted = await runAgentCli('tls-ok', { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') });
  const untrusted = await runAgentCli('tls-no', { NODE_EXTRA_CA_CERTS: '' });
  try {
    await until('the trusted agent to report', async () => ((await store.agents(0)).some((a) => a.name === 'tls-ok' && a.events > 0) ? true : null), 30_000);
    await until(
      'the untrusted agent to give up on the certificate',
      () => (/server unreachable \((SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/.test(untrusted.err()) ? true : null),
      30_000,
    );
    assert.ok(!(await store.agents(0)).some((a) => a.name === 'tls-no'));
  } finally {
    trusted.c.kill('SIGTERM');
    untrusted.c.kill('SIGTERM');
    await fleet.close();
    await store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
