/**
 * The monitor's history: the last 1,000 state changes and the last 1,000 full reports, in SQLite
 * (better-sqlite3 12.x, docs/decisions/035-monitor-store.md) under --data, so a restart keeps
 * them. A store that cannot be written (read-only disk, full disk) never stops the monitoring:
 * `writable` turns false, the daemon says so once on stderr and in netdx_store_writable, and
 * each later write tries again.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Report } from '../model/report.js';

export type TargetStateName = 'up' | 'down' | 'unknown';

export interface StateChange {
  target: string;
  at: number;
  from: TargetStateName;
  to: TargetStateName;
  code: string | null;
  reason: string | null;
}

export const KEEP = 1000;

export interface StoreEvents {
  /** writable changed: false with the reason, true when writes work again. */
  onWritable?(writable: boolean, why: string): void;
}

export class Store {
  writable = true;
  readonly path: string;
  private db: Database.Database | null = null;
  private readonly events: StoreEvents;

  private constructor(path: string, events: StoreEvents) {
    this.path = path;
    this.events = events;
  }

  /** Opens (creating) DIR/netdx-monitor.sqlite. Never throws: a store it cannot open keeps nothing. */
  static open(dir: string, events: StoreEvents = {}, opts: { readonly?: boolean } = {}): Store {
    const path = join(dir, 'netdx-monitor.sqlite');
    const s = new Store(path, events);
    try {
      if (!opts.readonly) mkdirSync(dir, { recursive: true });
      s.db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
      if (!opts.readonly) {
        s.db.pragma('journal_mode = WAL');
        s.db.pragma('synchronous = NORMAL');
        s.db
          .exec(`CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, code TEXT, reason TEXT);
          CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, at INTEGER NOT NULL, verdict TEXT NOT NULL, code TEXT, json TEXT NOT NULL);
          CREATE INDEX IF NOT EXISTS changes_target ON changes(target, id);
          CREATE INDEX IF NOT EXISTS reports_target ON reports(target, id);`);
      } else {
        s.setWritable(false, 'opened read-only');
      }
    } catch (err) {
      // A read-only disk: keep the old history readable if the file is there.
      try {
        s.db = new Database(path, { readonly: true, fileMustExist: true });
      } catch {
        s.db = null;
      }
      s.setWritable(false, errText(err));
    }
    return s;
  }

  private setWritable(w: boolean, why: string): void {
    if (this.writable === w) return;
    this.writable = w;
    this.events.onWritable?.(w, why);
  }

  private write(fn: (db: Database.Database) => void): void {
    if (!this.db) return;
    try {
      fn(this.db);
      this.setWritable(true, '');
    } catch (err) {
      this.setWritable(false, errText(err));
    }
  }

  recordChange(c: StateChange): void {
    this.write((db) => {
      const id = db.prepare('INSERT INTO changes (target, at, from_state, to_state, code, reason) VALUES (?, ?, ?, ?, ?, ?)').run(c.target, c.at, c.from, c.to, c.code, c.reason).lastInsertRowid;
      db.prepare('DELETE FROM changes WHERE id <= ?').run(Number(id) - KEEP);
    });
  }

  recordReport(target: string, at: number, report: Report): void {
    this.write((db) => {
      const id = db
        .prepare('INSERT INTO reports (target, at, verdict, code, json) VALUES (?, ?, ?, ?, ?)')
        .run(target, at, report.verdict, report.primary?.code ?? null, JSON.stringify(report)).lastInsertRowid;
      db.prepare('DELETE FROM reports WHERE id <= ?').run(Number(id) - KEEP);
    });
  }

  /** The newest state change of each target. */
  lastStates(): Map<string, StateChange> {
    const out = new Map<string, StateChange>();
    for (const r of this.read<Row>('SELECT c.* FROM changes c JOIN (SELECT target, MAX(id) AS id FROM changes GROUP BY target) m ON c.id = m.id')) out.set(r.target, rowChange(r));
    return out;
  }

  /** The newest report of each target. */
  lastReports(): Map<string, { at: number; report: Report }> {
    const out = new Map<string, { at: number; report: Report }>();
    for (const r of this.read<{ target: string; at: number; json: string }>(
      'SELECT r.target, r.at, r.json FROM reports r JOIN (SELECT target, MAX(id) AS id FROM reports GROUP BY target) m ON r.id = m.id',
    )) {
      try {
        out.set(r.target, { at: r.at, report: JSON.parse(r.json) as Report });
      } catch {
        /* a damaged row is skipped */
      }
    }
    return out;
  }

  /** State changes, newest first (one target or all). */
  changes(target: string | null, limit = 100): StateChange[] {
    const rows =
      target === null ? this.read<Row>('SELECT * FROM changes ORDER BY id DESC LIMIT ?', limit) : this.read<Row>('SELECT * FROM changes WHERE target = ? ORDER BY id DESC LIMIT ?', target, limit);
    return rows.map(rowChange);
  }

  count(table: 'changes' | 'reports'): number {
    return this.read<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n ?? 0;
  }

  private read<T>(sql: string, ...args: unknown[]): T[] {
    if (!this.db) return [];
    try {
      return this.db.prepare(sql).all(...args) as T[];
    } catch {
      return [];
    }
  }

  close(): void {
    try {
      this.db?.close();
    } catch {
      /* closing a broken store */
    }
    this.db = null;
  }
}

interface Row {
  target: string;
  at: number;
  from_state: string;
  to_state: string;
  code: string | null;
  reason: string | null;
}

function rowChange(r: Row): StateChange {
  return { target: r.target, at: r.at, from: r.from_state as TargetStateName, to: r.to_state as TargetStateName, code: r.code, reason: r.reason };
}

function errText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}`.trim() : String(e.message ?? err);
}
