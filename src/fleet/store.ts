/**
 * The fleet server's data, over db.ts: tokens (stored as SHA-256 hashes), agents and their
 * delivery cursor (`acked`), each agent's current state and latest report of every target, the
 * state-change history, incidents and on-demand commands. Everything that matters is here, not in
 * a server process's memory, so several servers can share one PostgreSQL database.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db.js';
import type { AgentEvent, Command, CommandResult, EventBatch, TargetStatus } from './protocol.js';
import type { Report } from '../model/report.js';
import { features, type Feature } from './features.js';
import type { AgentInfo, ReportInfo, StateInfo } from './correlate.js';

export type TokenKind = 'agent' | 'operator';

export interface TokenInfo {
  id: string;
  kind: TokenKind;
  name: string;
  labels: Record<string, string>;
  createdAt: number;
  revokedAt: number | null;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export type IngestResult = { status: 200; acked: number; duplicates: number; stored: number } | { status: 409; acked: number };

export interface IncidentRow {
  id: string;
  target: string;
  code: string;
  status: 'open' | 'recovered';
  scope: unknown;
  affected: unknown;
  evidence: unknown;
  summary: string;
  firstSeen: number;
  classifiedAt: number;
  locatedAt: number | null;
  recoveredAt: number | null;
  updatedAt: number;
  comparedAt: number | null;
}

const parse = <T>(s: unknown, fallback: T): T => {
  try {
    return typeof s === 'string' ? (JSON.parse(s) as T) : fallback;
  } catch {
    return fallback;
  }
};

function incidentOf(r: Record<string, unknown>): IncidentRow {
  return {
    id: String(r['id']),
    target: String(r['target']),
    code: String(r['code']),
    status: r['status'] === 'recovered' ? 'recovered' : 'open',
    scope: parse(r['scope'], null),
    affected: parse(r['affected'], null),
    evidence: parse(r['evidence'], []),
    summary: String(r['summary']),
    firstSeen: Number(r['first_seen']),
    classifiedAt: Number(r['classified_at']),
    locatedAt: r['located_at'] === null ? null : Number(r['located_at']),
    recoveredAt: r['recovered_at'] === null ? null : Number(r['recovered_at']),
    updatedAt: Number(r['updated_at']),
    comparedAt: r['compared_at'] === null || r['compared_at'] === undefined ? null : Number(r['compared_at']),
  };
}

export class FleetStore {
  constructor(readonly db: Db) {}

  // ── tokens ──────────────────────────────────────────────────────────
  /** Makes a token; only its hash is kept. Agent names are unique among live agent tokens. */
  async createToken(kind: TokenKind, name: string, labels: Record<string, string>, now = Date.now()): Promise<{ token: string; id: string }> {
    const token = `ndx${kind === 'agent' ? 'a' : 'o'}_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.db.run('INSERT INTO tokens (id, hash, kind, name, labels, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)', [id, hashToken(token), kind, name, JSON.stringify(labels), now]);
    return { token, id };
  }

  /** Revokes every live token of NAME (or the token with this id). Returns how many. */
  revokeToken(nameOrId: string, now = Date.now()): Promise<number> {
    return this.db.run('UPDATE tokens SET revoked_at = ? WHERE revoked_at IS NULL AND (name = ? OR id = ?)', [now, nameOrId, nameOrId]);
  }

  async tokens(): Promise<TokenInfo[]> {
    const rows = await this.db.all('SELECT id, kind, name, labels, created_at, revoked_at FROM tokens ORDER BY created_at');
    return rows.map(tokenOf);
  }

  /** The token's identity, 'revoked', or null when unknown. */
  async verify(token: string): Promise<TokenInfo | 'revoked' | null> {
    const r = await this.db.get('SELECT id, kind, name, labels, created_at, revoked_at FROM tokens WHERE hash = ?', [hashToken(token)]);
    if (!r) return null;
    const t = tokenOf(r);
    return t.revokedAt !== null ? 'revoked' : t;
  }

  // ── ingest ──────────────────────────────────────────────────────────
  /**
   * Stores one batch exactly once (protocol.ts "Delivery"): events at or below the agent's cursor
   * are duplicates; a batch that starts beyond cursor+1 is a gap (409); everything else is applied
   * and the cursor moved, in one transaction.
   */
  ingest(agent: TokenInfo, batch: EventBatch, now = Date.now()): Promise<IngestResult> {
    return this.db.tx(async (q) => {
      // One round trip: create the agent or lock its row (the no-op update takes the row lock), and read its cursor.
      const row = await q.get<{ acked: number }>(
        'INSERT INTO agents (name, labels, acked, first_seen, last_seen, last_poll, version, events, duplicates) VALUES (?, ?, 0, ?, ?, NULL, NULL, 0, 0) ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen RETURNING acked',
        [agent.name, JSON.stringify(agent.labels), now, now],
      );
      const acked = Number(row?.acked ?? 0);
      const fresh = batch.events.filter((e) => e.seq > acked);
      const duplicates = batch.events.length - fresh.length;
      if (fresh.length > 0 && fresh[0]!.seq !== acked + 1) return { status: 409 as const, acked };
      let version: string | null = null;
      for (const e of fresh) {
        await this.apply(q, agent.name, e, now);
        if (e.kind === 'heartbeat') version = e.version;
      }
      const top = fresh.length > 0 ? fresh[fresh.length - 1]!.seq : acked;
      await q.run('UPDATE agents SET acked = ?, last_seen = ?, labels = ?, version = COALESCE(?, version), events = events + ?, duplicates = duplicates + ? WHERE name = ?', [
        top,
        now,
        JSON.stringify(agent.labels),
        version,
        fresh.length,
        duplicates,
        agent.name,
      ]);
      return { status: 200 as const, acked: top, duplicates, stored: fresh.length };
    });
  }

  private async apply(q: Queryable, agent: string, e: AgentEvent, now: number): Promise<void> {
    if (e.kind === 'heartbeat') {
      for (let i = 0; i < e.targets.length; i += 500) await this.putStates(q, agent, e.targets.slice(i, i + 500), now);
      // Targets the agent no longer watches leave its state.
      if (e.targets.length === 0) await q.run('DELETE FROM states WHERE agent = ?', [agent]);
      else if (e.targets.length <= 500) await q.run(`DELETE FROM states WHERE agent = ? AND target NOT IN (${e.targets.map(() => '?').join(', ')})`, [agent, ...e.targets.map((t) => t.target)]);
      else {
        const names = new Set(e.targets.map((t) => t.target));
        for (const r of await q.all<{ target: string }>('SELECT target FROM states WHERE agent = ?', [agent]))
          if (!names.has(r.target)) await q.run('DELETE FROM states WHERE agent = ? AND target = ?', [agent, r.target]);
      }
      return;
    }
    if (e.kind === 'change') {
      await q.run('INSERT INTO changes (agent, seq, target, at, received_at, from_state, to_state, codes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        agent,
        e.seq,
        e.target,
        Math.min(e.at, now),
        now,
        e.from,
        e.to,
        JSON.stringify(e.codes),
      ]);
      await this.putState(q, agent, { target: e.target, state: e.to, since: Math.min(e.at, now), codes: e.codes }, now);
    }
    if (e.report) await this.putReport(q, agent, e.target, Math.min(e.at, now), 'event', e.report);
  }

  private putState(q: Queryable, agent: string, t: TargetStatus, now: number): Promise<void> {
    return this.putStates(q, agent, [t], now);
  }

  /** Several targets' states of one agent in one statement (a heartbeat is one round trip). */
  private async putStates(q: Queryable, agent: string, list: TargetStatus[], now: number): Promise<void> {
    // A target named twice counts once (its last entry): one statement may not touch a row twice.
    const ts = [...new Map(list.map((t) => [t.target, t])).values()];
    if (ts.length === 0) return;
    await q.run(
      `INSERT INTO states (agent, target, state, since, codes, updated_at) VALUES ${ts.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (agent, target) DO UPDATE SET state = excluded.state, since = excluded.since, codes = excluded.codes, updated_at = excluded.updated_at`,
      ts.flatMap((t) => [agent, t.target, t.state, Math.min(t.since, now), JSON.stringify(t.codes), now]),
    );
  }

  async putReport(q: Queryable, agent: string, target: string, at: number, source: 'event' | 'command', report: Report): Promise<void> {
    await q.run(
      'INSERT INTO reports (agent, target, at, source, verdict, code, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent, target) DO UPDATE SET at = excluded.at, source = excluded.source, verdict = excluded.verdict, code = excluded.code, body = excluded.body WHERE reports.at <= excluded.at',
      [agent, target, at, source, report.verdict, report.primary?.code ?? null, JSON.stringify(report)],
    );
  }

  async touch(agent: TokenInfo, now = Date.now(), poll = false): Promise<void> {
    await this.db.run(
      `INSERT INTO agents (name, labels, acked, first_seen, last_seen, last_poll, version, events, duplicates) VALUES (?, ?, 0, ?, ?, ?, NULL, 0, 0) ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen, labels = excluded.labels${poll ? ', last_poll = excluded.last_poll' : ''}`,
      [agent.name, JSON.stringify(agent.labels), now, now, poll ? now : null],
    );
  }

  // ── reads for correlation, the API and the page ─────────────────────
  async agents(
    onlineAfter: number,
  ): Promise<Array<AgentInfo & { firstSeen: number; lastSeen: number; lastPoll: number | null; version: string | null; acked: number; events: number; duplicates: number }>> {
    const rows = await this.db.all('SELECT * FROM agents ORDER BY name');
    return rows.map((r) => ({
      name: String(r['name']),
      labels: parse<Record<string, string>>(r['labels'], {}),
      online: Number(r['last_seen']) >= onlineAfter || (r['last_poll'] !== null && Number(r['last_poll']) >= onlineAfter),
      firstSeen: Number(r['first_seen']),
      lastSeen: Number(r['last_seen']),
      lastPoll: r['last_poll'] === null ? null : Number(r['last_poll']),
      version: (r['version'] as string | null) ?? null,
      acked: Number(r['acked']),
      events: Number(r['events']),
      duplicates: Number(r['duplicates']),
    }));
  }

  async states(agent?: string): Promise<StateInfo[]> {
    const rows = agent ? await this.db.all('SELECT * FROM states WHERE agent = ? ORDER BY target', [agent]) : await this.db.all('SELECT * FROM states');
    return rows.map((r) => ({ agent: String(r['agent']), target: String(r['target']), state: r['state'] as StateInfo['state'], since: Number(r['since']), codes: parse<string[]>(r['codes'], []) }));
  }

  /**
   * Latest report of every (agent, target), as facts. A body is read and parsed once per version
   * (agent, target, at): a correlation pass reads the small columns of every row and only the bodies
   * it has not seen.
   */
  async reportInfos(): Promise<ReportInfo[]> {
    const rows = await this.db.all('SELECT agent, target, at, verdict, code FROM reports');
    const key = (r: Record<string, unknown>): string => `${String(r['agent'])}\u0000${String(r['target'])}\u0000${Number(r['at'])}`;
    const missing = rows.filter((r) => !this.featureCache.has(key(r)));
    for (let i = 0; i < missing.length; i += 200) {
      const part = missing.slice(i, i + 200);
      const bodies = await this.db.all(
        `SELECT agent, target, at, body FROM reports WHERE ${part.map(() => '(agent = ? AND target = ?)').join(' OR ')}`,
        part.flatMap((r) => [r['agent'], r['target']]),
      );
      for (const b of bodies) {
        const rep = parse<Report | null>(b['body'], null);
        this.featureCache.set(key(b), rep ? features(rep) : []);
      }
    }
    if (this.featureCache.size > 4 * rows.length + 1000) {
      const live = new Set(rows.map(key));
      for (const k of this.featureCache.keys()) if (!live.has(k)) this.featureCache.delete(k);
    }
    return rows.map((r) => ({
      agent: String(r['agent']),
      target: String(r['target']),
      at: Number(r['at']),
      verdict: String(r['verdict']),
      code: (r['code'] as string | null) ?? null,
      features: this.featureCache.get(key(r)) ?? [],
    }));
  }
  private readonly featureCache = new Map<string, Feature[]>();

  async report(agent: string, target: string): Promise<{ at: number; source: string; report: Report } | null> {
    const r = await this.db.get('SELECT at, source, body FROM reports WHERE agent = ? AND target = ?', [agent, target]);
    const rep = r ? parse<Report | null>(r['body'], null) : null;
    return r && rep ? { at: Number(r['at']), source: String(r['source']), report: rep } : null;
  }

  async changes(limit = 200, agent?: string): Promise<Array<{ agent: string; target: string; at: number; receivedAt: number; from: string; to: string; codes: string[] }>> {
    const rows = agent
      ? await this.db.all('SELECT * FROM changes WHERE agent = ? ORDER BY received_at DESC LIMIT ?', [agent, limit])
      : await this.db.all('SELECT * FROM changes ORDER BY received_at DESC LIMIT ?', [limit]);
    return rows.map((r) => ({
      agent: String(r['agent']),
      target: String(r['target']),
      at: Number(r['at']),
      receivedAt: Number(r['received_at']),
      from: String(r['from_state']),
      to: String(r['to_state']),
      codes: parse<string[]>(r['codes'], []),
    }));
  }

  // ── incidents ───────────────────────────────────────────────────────
  async incidents(status?: 'open' | 'recovered', limit = 500): Promise<IncidentRow[]> {
    const rows = status
      ? await this.db.all('SELECT * FROM incidents WHERE status = ? ORDER BY first_seen DESC LIMIT ?', [status, limit])
      : await this.db.all('SELECT * FROM incidents ORDER BY first_seen DESC LIMIT ?', [limit]);
    return rows.map(incidentOf);
  }

  async incident(id: string): Promise<IncidentRow | null> {
    const r = await this.db.get('SELECT * FROM incidents WHERE id = ?', [id]);
    return r ? incidentOf(r) : null;
  }

  async saveIncident(i: IncidentRow): Promise<void> {
    await this.db.run(
      `INSERT INTO incidents (id, target, code, status, scope, affected, evidence, summary, first_seen, classified_at, located_at, recovered_at, updated_at, compared_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, scope = excluded.scope, affected = excluded.affected, evidence = excluded.evidence, summary = excluded.summary, first_seen = excluded.first_seen, located_at = excluded.located_at, recovered_at = excluded.recovered_at, updated_at = excluded.updated_at, compared_at = excluded.compared_at`,
      [
        i.id,
        i.target,
        i.code,
        i.status,
        JSON.stringify(i.scope),
        JSON.stringify(i.affected),
        JSON.stringify(i.evidence),
        i.summary,
        i.firstSeen,
        i.classifiedAt,
        i.locatedAt,
        i.recoveredAt,
        i.updatedAt,
        i.comparedAt,
      ],
    );
  }

  /** A lease (correlation runs in one server at a time): true when `holder` has it until `now + ms`. */
  async lease(name: string, holder: string, now: number, ms: number): Promise<boolean> {
    await this.db.run('INSERT INTO leases (name, holder, until_at) VALUES (?, ?, 0) ON CONFLICT (name) DO NOTHING', [name, holder]);
    return (await this.db.run('UPDATE leases SET holder = ?, until_at = ? WHERE name = ? AND (holder = ? OR until_at < ?)', [holder, now + ms, name, holder, now])) === 1;
  }

  // ── commands ────────────────────────────────────────────────────────
  /** Queues a command; `name` is the target's name in the server's list, under which the answer's report is kept. */
  async enqueue(agent: string, cmd: Omit<Command, 'id'>, purpose: string, now = Date.now(), name: string = cmd.target): Promise<string> {
    const id = randomUUID();
    await this.db.run('INSERT INTO commands (id, agent, body, purpose, created_at, deadline, taken_at, done_at, result) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL)', [
      id,
      agent,
      JSON.stringify({ ...cmd, id, name }),
      purpose,
      now,
      cmd.deadline,
    ]);
    return id;
  }

  /** Hands the agent its queued commands (each once). */
  take(agent: string, now = Date.now()): Promise<Command[]> {
    return this.db.tx(async (q) => {
      const rows = await q.all('SELECT id, body FROM commands WHERE agent = ? AND taken_at IS NULL AND deadline > ? ORDER BY created_at LIMIT 20', [agent, now]);
      for (const r of rows) await q.run('UPDATE commands SET taken_at = ? WHERE id = ?', [now, r['id']]);
      return rows.map((r) => parse<Command | null>(r['body'], null)).filter((c): c is Command => c !== null);
    });
  }

  /** Agents with a command waiting (one query for every long poll of this process). */
  async waiting(now = Date.now()): Promise<Set<string>> {
    const rows = await this.db.all<{ agent: string }>('SELECT DISTINCT agent FROM commands WHERE taken_at IS NULL AND deadline > ?', [now]);
    return new Set(rows.map((r) => r.agent));
  }

  /** Stores an agent's answer; false when the command is not this agent's or already answered. */
  async complete(id: string, agent: string, result: CommandResult, now = Date.now()): Promise<boolean> {
    return this.db.tx(async (q) => {
      const row = await q.get('SELECT body FROM commands WHERE id = ? AND agent = ? AND done_at IS NULL', [id, agent]);
      if (!row) return false;
      await q.run('UPDATE commands SET done_at = ?, result = ? WHERE id = ?', [now, JSON.stringify(result), id]);
      const cmd = parse<(Command & { name?: string }) | null>(row['body'], null);
      if (cmd && result.report) await this.putReport(q, agent, cmd.name ?? cmd.target, now, 'command', result.report);
      return true;
    });
  }

  async results(ids: string[]): Promise<Map<string, { agent: string; result: CommandResult | null }>> {
    const out = new Map<string, { agent: string; result: CommandResult | null }>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = await this.db.all(`SELECT id, agent, result FROM commands WHERE id IN (${part.map(() => '?').join(', ')})`, part);
      for (const r of rows) out.set(String(r['id']), { agent: String(r['agent']), result: parse<CommandResult | null>(r['result'], null) });
    }
    return out;
  }

  /** Forgets answered or expired commands older than `before`. */
  prune(before: number): Promise<number> {
    return this.db.run('DELETE FROM commands WHERE created_at < ? AND (done_at IS NOT NULL OR deadline < ?)', [before, before]);
  }

  /** Forgets state changes and recovered incidents older than `before` (the history's retention). */
  async pruneHistory(before: number): Promise<number> {
    const a = await this.db.run('DELETE FROM changes WHERE received_at < ?', [before]);
    const b = await this.db.run("DELETE FROM incidents WHERE status = 'recovered' AND recovered_at < ?", [before]);
    return a + b;
  }
}

function tokenOf(r: Record<string, unknown>): TokenInfo {
  return {
    id: String(r['id']),
    kind: r['kind'] === 'operator' ? 'operator' : 'agent',
    name: String(r['name']),
    labels: parse<Record<string, string>>(r['labels'], {}),
    createdAt: Number(r['created_at']),
    revokedAt: r['revoked_at'] === null ? null : Number(r['revoked_at']),
  };
}
