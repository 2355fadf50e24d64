/**
 * The agent's outbox: every event gets the next `seq` (persisted, never reused) and waits here
 * until an ack from the server covers it, so a server outage or an agent restart loses nothing
 * and sends nothing twice (protocol.ts "Delivery"). SQLite under --data (better-sqlite3), or in
 * memory without it. A heartbeat that has not left yet is replaced by the next one (same seq), so
 * an outage of a day queues its state changes and reports, not 8,640 heartbeats.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AgentEvent } from './protocol.js';

type Unnumbered = AgentEvent extends infer E ? (E extends AgentEvent ? Omit<E, 'seq'> : never) : never;

export class Spool {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(dir: string | null): Spool {
    let path = ':memory:';
    if (dir !== null) {
      mkdirSync(dir, { recursive: true });
      path = join(dir, 'netdx-agent.sqlite');
    }
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, bytes INTEGER NOT NULL, body TEXT NOT NULL);`);
    return new Spool(db, path);
  }

  meta(k: string): string | null {
    return (this.db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined)?.v ?? null;
  }

  setMeta(k: string, v: string): void {
    this.db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v').run(k, v);
  }

  /** The seq of the last event ever numbered (0 when none). */
  get lastSeq(): number {
    return Number(this.meta('seq') ?? 0);
  }

  /** Numbers and stores one event; returns its seq. `inFlight`: a seq being sent now (never rewritten). */
  append(e: Unnumbered, inFlight: number | null = null): number {
    return this.db.transaction((): number => {
      if (e.kind === 'heartbeat') {
        const last = this.db.prepare('SELECT seq, kind FROM outbox ORDER BY seq DESC LIMIT 1').get() as { seq: number; kind: string } | undefined;
        if (last && last.kind === 'heartbeat' && (inFlight === null || last.seq > inFlight)) {
          const body = JSON.stringify({ ...e, seq: last.seq });
          this.db.prepare('UPDATE outbox SET body = ?, bytes = ? WHERE seq = ?').run(body, Buffer.byteLength(body), last.seq);
          return last.seq;
        }
      }
      const seq = this.lastSeq + 1;
      const body = JSON.stringify({ ...e, seq });
      this.db.prepare('INSERT INTO outbox (seq, kind, bytes, body) VALUES (?, ?, ?, ?)').run(seq, e.kind, Buffer.byteLength(body), body);
      this.setMeta('seq', String(seq));
      return seq;
    })();
  }

  /** The oldest events, contiguous, within `maxCount` and `maxBytes` (at least one). */
  batch(maxCount: number, maxBytes: number): AgentEvent[] {
    const rows = this.db.prepare('SELECT bytes, body FROM outbox ORDER BY seq LIMIT ?').all(maxCount) as Array<{ bytes: number; body: string }>;
    const out: AgentEvent[] = [];
    let n = 0;
    for (const r of rows) {
      if (out.length > 0 && n + r.bytes > maxBytes) break;
      n += r.bytes;
      out.push(JSON.parse(r.body) as AgentEvent);
    }
    return out;
  }

  /** The server holds everything up to `seq`: forget it. */
  ack(seq: number): number {
    return this.db.prepare('DELETE FROM outbox WHERE seq <= ?').run(seq).changes;
  }

  get pending(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
  }
}
