/**
 * The fleet server's storage: one async interface over two engines, SQLite (better-sqlite3, the
 * one-machine default under --data) and PostgreSQL (`pg`, --db postgres://…). Both run the same
 * SQL: `?` placeholders (turned into $1, $2 … for PostgreSQL), TEXT for JSON, BIGINT for epoch
 * milliseconds, `INSERT … ON CONFLICT … DO UPDATE` for upserts. Migrations are numbered; each runs
 * once, inside a transaction, and `schema_version` records it (docs/decisions/060-fleet-storage.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Row = Record<string, unknown>;

export interface Queryable {
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface Db extends Queryable {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for messages (never the password). */
  readonly where: string;
  /** Runs `fn` in one transaction: all its statements commit together or none does. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Numbered migrations; never edit one that has shipped, add the next. */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string[] }> = [
  {
    version: 1,
    sql: [
      `CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT)`,
      `CREATE TABLE agents (name TEXT PRIMARY KEY, labels TEXT NOT NULL, acked BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, last_poll BIGINT, version TEXT, events BIGINT NOT NULL, duplicates BIGINT NOT NULL)`,
      `CREATE TABLE states (agent TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL, since BIGINT NOT NULL, codes TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (agent, target))`,
      `CREATE TABLE reports (agent TEXT NOT NULL, target TEXT NOT NULL, at BIGINT NOT NULL, source TEXT NOT NULL, verdict TEXT NOT NULL, code TEXT, body TEXT NOT NULL, PRIMARY KEY (agent, target))`,
      `CREATE TABLE changes (agent TEXT NOT NULL, seq BIGINT NOT NULL, target TEXT NOT NULL, at BIGINT NOT NULL, received_at BIGINT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, codes TEXT NOT NULL, PRIMARY KEY (agent, seq))`,
      `CREATE INDEX changes_at ON changes (received_at)`,
      `CREATE TABLE incidents (id TEXT PRIMARY KEY, target TEXT NOT NULL, code TEXT NOT NULL, status TEXT NOT NULL, scope TEXT NOT NULL, affected TEXT NOT NULL, evidence TEXT NOT NULL, summary TEXT NOT NULL, first_seen BIGINT NOT NULL, classified_at BIGINT NOT NULL, located_at BIGINT, recovered_at BIGINT, updated_at BIGINT NOT NULL, compared_at BIGINT)`,
      `CREATE INDEX incidents_open ON incidents (status, target, code)`,
      `CREATE TABLE commands (id TEXT PRIMARY KEY, agent TEXT NOT NULL, body TEXT NOT NULL, purpose TEXT NOT NULL, created_at BIGINT NOT NULL, deadline BIGINT NOT NULL, taken_at BIGINT, done_at BIGINT, result TEXT)`,
      `CREATE INDEX commands_agent ON commands (agent, taken_at)`,
      `CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_at BIGINT NOT NULL)`,
    ],
  },
];

/** A FIFO mutex: SQLite has one connection, so a transaction must not interleave with anything. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

class SqliteDb implements Db {
  readonly kind = 'sqlite' as const;
  private readonly mutex = new Mutex();
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly q: Queryable;
  constructor(
    private readonly db: Database.Database,
    readonly where: string,
  ) {
    const prep = (sql: string): Database.Statement => {
      let s = this.stmts.get(sql);
      if (!s) {
        s = this.db.prepare(sql);
        this.stmts.set(sql, s);
      }
      return s;
    };
    this.q = {
      all: async <T extends Row>(sql: string, p: readonly unknown[] = []) => prep(sql).all(...p) as T[],
      get: async <T extends Row>(sql: string, p: readonly unknown[] = []) => prep(sql).get(...p) as T | undefined,
      run: async (sql: string, p: readonly unknown[] = []) => (/^\s*(create|drop|alter)\b/i.test(sql) ? (this.db.exec(sql), 0) : prep(sql).run(...p).changes),
    };
  }
  all<T extends Row>(sql: string, p?: readonly unknown[]): Promise<T[]> {
    return this.mutex.lock(() => this.q.all<T>(sql, p));
  }
  get<T extends Row>(sql: string, p?: readonly unknown[]): Promise<T | undefined> {
    return this.mutex.lock(() => this.q.get<T>(sql, p));
  }
  run(sql: string, p?: readonly unknown[]): Promise<number> {
    return this.mutex.lock(() => this.q.run(sql, p));
  }
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.mutex.lock(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const v = await fn(this.q);
        this.db.exec('COMMIT');
        return v;
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }
  async close(): Promise<void> {
    await this.mutex.lock(async () => this.db.close());
  }
}

/** `?` → `$1`, `$2` … (the fleet's SQL has no `?` inside string literals). */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

interface PgClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  release?(): void;
}
interface PgPool extends PgClient {
  connect(): Promise<PgClient & { release(): void }>;
  end(): Promise<void>;
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly pool: PgPool,
    readonly where: string,
  ) {}
  private static wrap(c: PgClient): Queryable {
    return {
      all: async <T extends Row>(sql: string, p: readonly unknown[] = []) => (await c.query(pgPlaceholders(sql), [...p])).rows as T[],
      get: async <T extends Row>(sql: string, p: readonly unknown[] = []) => (await c.query(pgPlaceholders(sql), [...p])).rows[0] as T | undefined,
      run: async (sql: string, p: readonly unknown[] = []) => (await c.query(pgPlaceholders(sql), [...p])).rowCount ?? 0,
    };
  }
  all<T extends Row>(sql: string, p?: readonly unknown[]): Promise<T[]> {
    return PostgresDb.wrap(this.pool).all<T>(sql, p);
  }
  get<T extends Row>(sql: string, p?: readonly unknown[]): Promise<T | undefined> {
    return PostgresDb.wrap(this.pool).get<T>(sql, p);
  }
  run(sql: string, p?: readonly unknown[]): Promise<number> {
    return PostgresDb.wrap(this.pool).run(sql, p);
  }
  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const v = await fn(PostgresDb.wrap(c));
      await c.query('COMMIT');
      return v;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Opens (creating and migrating) the store: `postgres://…` or a directory for SQLite (null: in memory). */
export async function openDb(spec: { dir: string | null } | { url: string }): Promise<Db> {
  let db: Db;
  if ('url' in spec) {
    const pg = (await import('pg')).default;
    // BIGINT (epoch ms, counts) as numbers: they stay far below 2^53.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.Pool({ connectionString: spec.url, max: 10 }) as unknown as PgPool;
    const u = new URL(spec.url);
    db = new PostgresDb(pool, `postgres://${u.host}${u.pathname}`);
    // Several servers may start at once against one database: one migrates, the others wait.
    await db.tx(async (q) => {
      await q.run('SELECT pg_advisory_xact_lock(7160014)');
      await migrateIn(q);
    });
    return db;
  }
  let path = ':memory:';
  if (spec.dir !== null) {
    mkdirSync(spec.dir, { recursive: true });
    path = join(spec.dir, 'netdx-fleet.sqlite');
  }
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 5000');
  db = new SqliteDb(raw, path);
  await db.tx((q) => migrateIn(q));
  return db;
}

/** Migrations inside a transaction the caller holds (PostgreSQL, under its advisory lock). */
async function migrateIn(q: Queryable): Promise<void> {
  await q.run('CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)');
  for (const m of MIGRATIONS) {
    const done = await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM schema_version WHERE version = ?', [m.version]);
    if (Number(done?.n ?? 0) > 0) continue;
    for (const s of m.sql) await q.run(s);
    await q.run('INSERT INTO schema_version (version) VALUES (?)', [m.version]);
  }
}
