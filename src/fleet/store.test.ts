/**
 * The fleet store's behaviours on both engines, SQLite and PostgreSQL (a private throwaway
 * cluster; skipped with the reason where the binaries are missing): tokens, exactly-once ingest,
 * commands, leases, incidents — and two servers on one PostgreSQL database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, pgPlaceholders, type Db } from './db.js';
import { FleetStore, type IncidentRow, type TokenInfo } from './store.js';
import { PROTOCOL_VERSION, type AgentEvent } from './protocol.js';
import { postgresMissing, startPostgres, type TestPostgres } from './pg-testing.js';

const hb = (seq: number, state: 'up' | 'down' = 'up'): AgentEvent => ({
  seq,
  at: 1000 + seq,
  kind: 'heartbeat',
  targets: [{ target: 'app', state, since: 1000, codes: state === 'down' ? ['NET-004'] : [] }],
  version: 't',
});
const batch = (agent: string, events: AgentEvent[]) => ({ protocol: PROTOCOL_VERSION as 1, agent, events });

const pgSkip = postgresMissing();
let pg: TestPostgres | null = null;
const dirs: string[] = [];

before(async () => {
  if (!pgSkip) pg = await startPostgres();
});
after(() => {
  pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function fresh(engine: 'sqlite' | 'postgres'): Promise<Db> {
  if (engine === 'sqlite') {
    const d = mkdtempSync(join(tmpdir(), 'netdx-store-'));
    dirs.push(d);
    return openDb({ dir: d });
  }
  const db = await openDb({ url: pg!.url });
  // One database for the file: start each test from empty tables.
  for (const t of ['tokens', 'agents', 'states', 'reports', 'changes', 'incidents', 'commands', 'leases']) await db.run(`DELETE FROM ${t}`);
  return db;
}

test('placeholders: ? becomes $1, $2 … for PostgreSQL', () => {
  assert.equal(pgPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)'), 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`fleet store on ${engine}`, { skip: engine === 'postgres' && pgSkip ? pgSkip : false }, () => {
    test('tokens: stored hashed, verified, revoked; migrations run once', async () => {
      const db = await fresh(engine);
      const s = new FleetStore(db);
      const { token } = await s.createToken('agent', 'sh-01', { region: 'sh' });
      assert.match(token, /^ndxa_[A-Za-z0-9_-]{43}$/);
      const rows = await db.all<{ hash: string }>('SELECT hash FROM tokens');
      assert.ok(!rows.some((r) => r.hash.includes(token)), 'the token itself is not stored');
      const v = (await s.verify(token)) as TokenInfo;
      assert.deepEqual([v.kind, v.name, v.labels], ['agent', 'sh-01', { region: 'sh' }]);
      assert.equal(await s.verify('ndxa_unknown'), null);
      assert.equal(await s.revokeToken('sh-01'), 1);
      assert.equal(await s.verify(token), 'revoked');
      assert.equal(await s.revokeToken('sh-01'), 0);
      await db.close();
      // Opening again runs no migration twice.
      const again = engine === 'sqlite' ? await openDb({ dir: dirs[dirs.length - 1]! }) : await openDb({ url: pg!.url });
      assert.deepEqual(await again.all('SELECT version FROM schema_version'), [{ version: 1 }]);
      await again.close();
    });

    test('ingest: each seq once, duplicates skipped, a gap refused, a batch all or nothing', async () => {
      const db = await fresh(engine);
      const s = new FleetStore(db);
      const agent = { id: 'x', kind: 'agent' as const, name: 'sh-01', labels: { region: 'sh' }, createdAt: 0, revokedAt: null };
      assert.deepEqual(await s.ingest(agent, batch('sh-01', [hb(1), hb(2)]), 5000), { status: 200, acked: 2, duplicates: 0, stored: 2 });
      assert.deepEqual(await s.ingest(agent, batch('sh-01', [hb(2), hb(3, 'down')]), 5001), { status: 200, acked: 3, duplicates: 1, stored: 1 });
      assert.deepEqual(await s.ingest(agent, batch('sh-01', [hb(5)]), 5002), { status: 409, acked: 3 });
      assert.deepEqual(await s.ingest(agent, batch('sh-01', [hb(1), hb(2), hb(3)]), 5003), { status: 200, acked: 3, duplicates: 3, stored: 0 });
      const [a] = await s.agents(0);
      assert.deepEqual([a!.acked, a!.events, a!.duplicates], [3, 3, 4]);
      assert.deepEqual(await s.states(), [{ agent: 'sh-01', target: 'app', state: 'down', since: 1000, codes: ['NET-004'] }]);
      // A batch that fails half way (the disk, say) stores nothing and does not move the cursor.
      const report = { verdict: 'fault', primary: null } as never;
      const broken = batch('sh-01', [hb(4), { seq: 5, at: 1005, kind: 'report', target: 'app', report }]);
      const putReport = s.putReport.bind(s);
      s.putReport = async () => {
        throw new Error('disk full');
      };
      await assert.rejects(s.ingest(agent, broken, 5004), /disk full/);
      assert.equal((await s.agents(0))[0]!.acked, 3);
      assert.equal((await s.states())[0]!.state, 'down', 'the heartbeat before the failure was rolled back too');
      s.putReport = putReport;
      assert.deepEqual(await s.ingest(agent, broken, 5005), { status: 200, acked: 5, duplicates: 0, stored: 2 });
      assert.equal((await s.states())[0]!.state, 'up');
      await db.close();
    });

    test('commands: handed out once, answered once, by their own agent; the answer keeps its report under the target name', async () => {
      const db = await fresh(engine);
      const s = new FleetStore(db);
      const id = await s.enqueue('bj-01', { kind: 'diagnose', target: '203.0.113.80:443', options: {}, deadline: 9e12 }, 'compare', 1000, 'app');
      assert.deepEqual([...(await s.waiting(1000))], ['bj-01']);
      assert.deepEqual((await s.take('sh-01', 1000)).length, 0);
      const taken = await s.take('bj-01', 1000);
      assert.equal(taken[0]!.id, id);
      assert.equal((await s.take('bj-01', 1000)).length, 0);
      assert.equal(await s.complete(id, 'sh-01', { agent: 'sh-01', report: null, error: 'x' }), false);
      assert.equal(await s.complete(id, 'bj-01', { agent: 'bj-01', report: null, error: 'could not' }), true);
      assert.equal(await s.complete(id, 'bj-01', { agent: 'bj-01', report: null, error: 'again' }), false);
      assert.equal((await s.results([id])).get(id)!.result!.error, 'could not');
      await db.close();
    });

    test('leases: one holder at a time, taken over when it expires; incidents round-trip', async () => {
      const db = await fresh(engine);
      const s = new FleetStore(db);
      assert.equal(await s.lease('correlate', 'a', 1000, 500), true);
      assert.equal(await s.lease('correlate', 'b', 1200, 500), false);
      assert.equal(await s.lease('correlate', 'a', 1300, 500), true);
      assert.equal(await s.lease('correlate', 'b', 1900, 500), true);
      const inc: IncidentRow = {
        id: 'inc-1',
        target: 'app',
        code: 'NET-004',
        status: 'open',
        scope: { kind: 'label', key: 'region', values: ['sh'] },
        affected: { agents: ['sh-01'], watchers: 2, counts: [] },
        evidence: [],
        summary: 's',
        firstSeen: 1,
        classifiedAt: 2,
        locatedAt: null,
        recoveredAt: null,
        updatedAt: 2,
        comparedAt: null,
      };
      await s.saveIncident(inc);
      await s.saveIncident({ ...inc, locatedAt: 3, updatedAt: 3 });
      assert.deepEqual(await s.incident('inc-1'), { ...inc, locatedAt: 3, updatedAt: 3 });
      assert.deepEqual(
        (await s.incidents('open')).map((i) => i.id),
        ['inc-1'],
      );
      await db.close();
    });
  });
}

test('two servers on one PostgreSQL database: concurrent batches of one agent are stored once, in order', { skip: pgSkip ?? false }, async () => {
  const a = new FleetStore(await fresh('postgres'));
  const b = new FleetStore(await openDb({ url: pg!.url }));
  const agent = { id: 'x', kind: 'agent' as const, name: 'sz-01', labels: { region: 'sz' }, createdAt: 0, revokedAt: null };
  // The same batch through both servers at once (a retry that raced the first attempt), then the next one.
  const [r1, r2] = await Promise.all([a.ingest(agent, batch('sz-01', [hb(1), hb(2)]), 1), b.ingest(agent, batch('sz-01', [hb(1), hb(2)]), 1)]);
  assert.deepEqual([r1.status, r2.status], [200, 200]);
  assert.equal((r1.status === 200 ? r1.stored : 0) + (r2.status === 200 ? r2.stored : 0), 2);
  assert.deepEqual(await b.ingest(agent, batch('sz-01', [hb(3)]), 2), { status: 200, acked: 3, duplicates: 0, stored: 1 });
  const [row] = await a.agents(0);
  assert.deepEqual([row!.acked, row!.events, row!.duplicates], [3, 3, 2]);
  await a.db.close();
  await b.db.close();
});
