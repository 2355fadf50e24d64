/**
 * `netdx server`: the fleet's HTTP side (node:http or node:https). Agents fetch their targets,
 * deliver events exactly once, long-poll for "diagnose now" commands and post the results;
 * operators read agents, incidents and /metrics, ask for a comparison, and see the web page.
 * A correlation pass runs every second when something changed (and every 5 s regardless), under a
 * lease, so that with several servers on one PostgreSQL database one of them does it at a time.
 */
import http from 'node:http';
import https from 'node:https';
import { createHash, randomUUID } from 'node:crypto';
import type { Lang } from '../model/layer.js';
import { FleetStore, type IncidentRow, type TokenInfo } from './store.js';
import { CommandResultSchema, EventBatchSchema, MAX_COMMAND_WAIT_S, type ConfigResponse } from './protocol.js';
import { HttpError, RateLimit, cookie, json, pickLang, readBody, readJson, send } from './http-util.js';
import { correlate } from './correlate.js';
import { incidentSummary, reconcile, timeline } from './incidents.js';
import { ft } from './messages.js';
import { fleetMetrics } from './metrics.js';
import { renderPage, type PageDeps } from './page.js';
import { compare, CompareRequestSchema } from './compare.js';
import type { FleetTargets } from './targets.js';

export interface FleetServerOptions {
  store: FleetStore;
  targets: () => FleetTargets;
  lang: Lang;
  heartbeatS?: number;
  /** Correlation cadence (ms) when something changed; a pass runs at least every 5 × this. */
  tickMs?: number;
  log?: (line: string) => void;
  tls?: { cert: string; key: string } | null;
  now?: () => number;
  /** How long a verified token is trusted without asking the store again (default 5 s: a revocation takes that long). */
  tokenCacheMs?: number;
}

export interface FleetServer {
  server: http.Server;
  /** One correlation pass now (tests and benches call it; the timer calls it too). */
  correlateNow(): Promise<void>;
  close(): Promise<void>;
  readonly stats: { ingestMs: number[]; requests: number };
}

const ONLINE_HEARTBEATS = 3;
/** State changes and recovered incidents are kept this long. */
export const HISTORY_DAYS = 90;

export function createFleetServer(o: FleetServerOptions): FleetServer {
  return new FleetHttpServer(o);
}

class FleetHttpServer implements FleetServer {
  readonly server: http.Server;
  readonly stats = { ingestMs: [] as number[], requests: 0 };
  private readonly store: FleetStore;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly heartbeatS: number;
  private readonly tickMs: number;
  private readonly holder = randomUUID();
  private readonly tokenCache = new Map<string, { v: TokenInfo | 'revoked' | null; until: number }>();
  private readonly agentLimit = new RateLimit(60, 20);
  private readonly operatorLimit = new RateLimit(40, 10);
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly metrics: ReturnType<typeof fleetMetrics>;
  private readonly pageDeps: PageDeps;
  private readonly timer: NodeJS.Timeout;
  private readonly slugs = new Map<string, string>();
  /** A fault code's slug (the code in lower case until the rules have loaded). */
  private readonly slugOf = (code: string): string => this.slugs.get(code) ?? code.toLowerCase();
  private slugsLoaded: Promise<void> | null = null;
  private dirty = true;
  private lastPass = 0;
  private closed = false;

  constructor(private readonly o: FleetServerOptions) {
    this.store = o.store;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((l: string) => void process.stderr.write(l + '\n'));
    this.heartbeatS = o.heartbeatS ?? 10;
    this.tickMs = o.tickMs ?? 1000;
    this.metrics = fleetMetrics(this.store, () => this.onlineAfter());
    this.pageDeps = { store: this.store, onlineAfter: () => this.onlineAfter(), now: this.now, targets: () => o.targets(), slugOf: this.slugOf };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler) : http.createServer(handler);
    this.server.maxConnections = 20_000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  private onlineAfter(): number {
    return this.now() - ONLINE_HEARTBEATS * this.heartbeatS * 1000;
  }

  private wake(agent: string): void {
    for (const w of this.waiters.get(agent) ?? []) w();
  }

  // ── authentication ──────────────────────────────────────────────────
  private async auth(req: http.IncomingMessage, lang: Lang, allowCookie: boolean): Promise<TokenInfo> {
    const h = req.headers.authorization;
    let token = h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : null;
    if (!token && allowCookie) token = cookie(req, 'netdx_session');
    if (!token) {
      this.metrics.authFailures.inc({ reason: 'missing' });
      throw new HttpError(401, ft(lang, 'api.auth'));
    }
    const key = createHash('sha256').update(token).digest('hex');
    let c = this.tokenCache.get(key);
    if (!c || c.until < this.now()) {
      c = { v: await this.store.verify(token), until: this.now() + (this.o.tokenCacheMs ?? 5000) };
      this.tokenCache.set(key, c);
      if (this.tokenCache.size > 50_000) this.tokenCache.clear();
    }
    if (c.v === null) {
      this.metrics.authFailures.inc({ reason: 'unknown' });
      throw new HttpError(401, ft(lang, 'api.auth'));
    }
    if (c.v === 'revoked') {
      this.metrics.authFailures.inc({ reason: 'revoked' });
      throw new HttpError(401, ft(lang, 'api.revoked'));
    }
    return c.v;
  }

  private async agentAuth(req: http.IncomingMessage, lang: Lang): Promise<TokenInfo> {
    const t = await this.auth(req, lang, false);
    if (t.kind !== 'agent') {
      this.metrics.authFailures.inc({ reason: 'wrong_kind' });
      throw new HttpError(403, ft(lang, 'api.agentOnly'));
    }
    const wait = this.agentLimit.take(t.name, this.now());
    if (wait > 0) throw new HttpError(429, ft(lang, 'api.rate', { s: wait }), { retryAfter: wait });
    return t;
  }

  private async operatorAuth(req: http.IncomingMessage, lang: Lang, allowCookie: boolean): Promise<TokenInfo> {
    const t = await this.auth(req, lang, allowCookie);
    if (t.kind !== 'operator') {
      this.metrics.authFailures.inc({ reason: 'wrong_kind' });
      throw new HttpError(403, ft(lang, 'api.operatorOnly'));
    }
    const wait = this.operatorLimit.take(t.id, this.now());
    if (wait > 0) throw new HttpError(429, ft(lang, 'api.rate', { s: wait }), { retryAfter: wait });
    return t;
  }

  // ── agent endpoints ─────────────────────────────────────────────────
  private async config(req: http.IncomingMessage, res: http.ServerResponse, lang: Lang): Promise<void> {
    const agent = await this.agentAuth(req, lang);
    await this.store.touch(agent, this.now());
    const t = this.o.targets();
    const etag = `"${t.version}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    const body: ConfigResponse & { agent: string; labels: Record<string, string> } = { version: t.version, yaml: t.yaml, heartbeatS: this.heartbeatS, agent: agent.name, labels: agent.labels };
    json(res, 200, body, { etag });
  }

  private invalid(lang: Lang, what: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): HttpError {
    const i = issues[0]!;
    return new HttpError(400, ft(lang, 'api.invalid', { what, path: i.path.map(String).join('.') || '(body)', why: i.message }));
  }

  private async events(req: http.IncomingMessage, res: http.ServerResponse, lang: Lang): Promise<void> {
    const agent = await this.agentAuth(req, lang);
    const parsed = EventBatchSchema.safeParse(await readJson(req, lang));
    if (!parsed.success) {
      this.metrics.rejected.inc({ reason: 'invalid' });
      throw this.invalid(lang, 'event batch', parsed.error.issues);
    }
    if (parsed.data.agent !== agent.name) {
      this.metrics.rejected.inc({ reason: 'wrong_agent' });
      throw new HttpError(403, ft(lang, 'api.wrongAgent', { token: agent.name, claimed: parsed.data.agent }));
    }
    const evs = parsed.data.events;
    for (let i = 1; i < evs.length; i++) {
      if (evs[i]!.seq !== evs[i - 1]!.seq + 1) {
        this.metrics.rejected.inc({ reason: 'not_contiguous' });
        throw this.invalid(lang, 'event batch', [{ path: ['events', i, 'seq'], message: 'a batch is contiguous and ascending' }]);
      }
    }
    const t0 = performance.now();
    const r = await this.store.ingest(agent, parsed.data, this.now());
    const ms = performance.now() - t0;
    this.metrics.ingest.observe(ms / 1000);
    this.stats.ingestMs.push(ms);
    if (this.stats.ingestMs.length > 200_000) this.stats.ingestMs.splice(0, 100_000);
    if (r.status === 409) {
      this.metrics.rejected.inc({ reason: 'gap' });
      return json(res, 409, { acked: r.acked, error: ft(lang, 'api.gap', { acked: r.acked }) });
    }
    this.metrics.events.inc(r.stored);
    this.metrics.duplicates.inc(r.duplicates);
    if (r.stored > 0 && evs.some((e) => e.kind !== 'heartbeat' || e.targets.some((x) => x.state !== 'up'))) this.dirty = true;
    json(res, 200, { acked: r.acked, duplicates: r.duplicates });
  }

  private async commands(req: http.IncomingMessage, res: http.ServerResponse, url: URL, lang: Lang): Promise<void> {
    const agent = await this.agentAuth(req, lang);
    const waitS = Math.max(0, Math.min(MAX_COMMAND_WAIT_S, Number(url.searchParams.get('wait') ?? 0) || 0));
    await this.store.touch(agent, this.now(), true);
    let list = await this.store.take(agent.name, this.now());
    if (list.length === 0 && waitS > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(agent.name) ?? new Set();
        this.waiters.set(agent.name, set);
        const done = (): void => {
          clearTimeout(timer);
          set.delete(done);
          if (set.size === 0) this.waiters.delete(agent.name);
          resolve();
        };
        const timer = setTimeout(done, waitS * 1000);
        set.add(done);
        req.once('close', done);
      });
      if (!res.destroyed) list = await this.store.take(agent.name, this.now());
    }
    if (res.destroyed) return;
    json(res, 200, { commands: list });
  }

  private async commandResult(req: http.IncomingMessage, res: http.ServerResponse, id: string, lang: Lang): Promise<void> {
    const agent = await this.agentAuth(req, lang);
    const parsed = CommandResultSchema.safeParse(await readJson(req, lang));
    if (!parsed.success) throw this.invalid(lang, 'command result', parsed.error.issues);
    if (parsed.data.agent !== agent.name) throw new HttpError(403, ft(lang, 'api.wrongAgent', { token: agent.name, claimed: parsed.data.agent }));
    if (!(await this.store.complete(id, agent.name, parsed.data, this.now()))) throw new HttpError(404, ft(lang, 'api.noCommand'));
    this.dirty = true;
    res.writeHead(204);
    res.end();
  }

  // ── operator endpoints ──────────────────────────────────────────────
  private async agentsView(): Promise<unknown[]> {
    const [agents, states] = await Promise.all([this.store.agents(this.onlineAfter()), this.store.states()]);
    return agents.map((a) => ({
      name: a.name,
      labels: a.labels,
      online: a.online,
      firstSeen: new Date(a.firstSeen).toISOString(),
      lastSeen: new Date(a.lastSeen).toISOString(),
      version: a.version,
      events: a.events,
      duplicates: a.duplicates,
      targets: states.filter((s) => s.agent === a.name).map((s) => ({ target: s.target, state: s.state, since: new Date(s.since).toISOString(), codes: s.codes })),
    }));
  }

  private async operatorApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, lang: Lang): Promise<boolean> {
    const path = url.pathname;
    // Scripts read the JSON: its texts are English unless the request asks (?lang=zh, the page's cookie), whatever the server's own language.
    const apiLang = pickLang(req, url, 'en');
    const m = req.method ?? 'GET';
    if (path === '/metrics' && m === 'GET') {
      // Prometheus scrapes with an operator token (`authorization: credentials_file`).
      await this.operatorAuth(req, lang, false);
      send(res, 200, this.metrics.registry.contentType, await this.metrics.registry.metrics());
    } else if (path === '/api/agents' && m === 'GET') {
      await this.operatorAuth(req, lang, true);
      json(res, 200, await this.agentsView());
    } else if (path === '/api/incidents' && m === 'GET') {
      await this.operatorAuth(req, lang, true);
      const status = url.searchParams.get('status');
      json(
        res,
        200,
        (await this.store.incidents(status === 'open' || status === 'recovered' ? status : undefined)).map((i) => incidentView(i, incidentSummary(i, apiLang, this.slugOf))),
      );
    } else if (/^\/api\/incidents\/[A-Za-z0-9-]{1,64}$/.test(path) && m === 'GET') {
      await this.operatorAuth(req, lang, true);
      const i = await this.store.incident(path.slice('/api/incidents/'.length));
      if (!i) throw new HttpError(404, ft(lang, 'api.notFound'));
      json(res, 200, incidentView(i, incidentSummary(i, apiLang, this.slugOf)));
    } else if (path === '/api/compare' && m === 'POST') {
      await this.operatorAuth(req, lang, false);
      const parsed = CompareRequestSchema.safeParse(await readJson(req, lang));
      if (!parsed.success) throw this.invalid(lang, 'compare request', parsed.error.issues);
      const r = await compare(parsed.data, { store: this.store, targets: this.o.targets(), onlineAfter: this.onlineAfter(), now: this.now, wake: (a) => this.wake(a), lang });
      if ('error' in r) throw new HttpError(r.status, r.error);
      this.dirty = true;
      json(res, 200, r);
    } else return false;
    return true;
  }

  private async page(req: http.IncomingMessage, res: http.ServerResponse, url: URL, lang: Lang): Promise<void> {
    let op: TokenInfo | null = null;
    if (url.pathname !== '/login') {
      try {
        op = await this.operatorAuth(req, lang, true);
      } catch (err) {
        if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
          res.writeHead(303, { location: `/login?lang=${lang}` });
          res.end();
          return;
        }
        throw err;
      }
    }
    const page = await renderPage(url.pathname, url, lang, op, this.pageDeps);
    if (!page) throw new HttpError(404, ft(lang, 'api.notFound'));
    send(res, 200, 'text/html; charset=utf-8', page, {
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
  }

  private async login(req: http.IncomingMessage, res: http.ServerResponse, lang: Lang): Promise<void> {
    const body = (await readBody(req, 8192, lang)).toString('utf8');
    const token = new URLSearchParams(body).get('token')?.trim() ?? '';
    const v = token ? await this.store.verify(token) : null;
    if (!v || v === 'revoked' || v.kind !== 'operator') {
      this.metrics.authFailures.inc({ reason: v === 'revoked' ? 'revoked' : v ? 'wrong_kind' : 'unknown' });
      const page = await renderPage('/login', new URL('http://localhost/login?failed=1'), lang, null, this.pageDeps);
      return send(res, 401, 'text/html; charset=utf-8', page ?? '');
    }
    res.writeHead(303, { location: `/?lang=${lang}`, 'set-cookie': `netdx_session=${token}; HttpOnly; SameSite=Strict; Path=/${this.o.tls ? '; Secure' : ''}` });
    res.end();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const lang = pickLang(req, url, this.o.lang);
    const m = req.method ?? 'GET';
    if (path === '/-/healthy') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    if (path === '/api/agent/config' && m === 'GET') return this.config(req, res, lang);
    if (path === '/api/agent/events' && m === 'POST') return this.events(req, res, lang);
    if (path === '/api/agent/commands' && m === 'GET') return this.commands(req, res, url, lang);
    const cr = /^\/api\/agent\/commands\/([A-Za-z0-9-]{1,64})\/result$/.exec(path);
    if (cr && m === 'POST') return this.commandResult(req, res, cr[1]!, lang);
    if (await this.operatorApi(req, res, url, lang)) return;
    if (path === '/login' && m === 'POST') return this.login(req, res, lang);
    if (m === 'GET' && (path === '/' || path === '/login' || path.startsWith('/incidents/') || path.startsWith('/agents/'))) return this.page(req, res, url, lang);
    throw new HttpError(404, ft(lang, 'api.notFound'));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    void this.route(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) {
        const headers: Record<string, string> = {};
        if (typeof err.extra['retryAfter'] === 'number') headers['retry-after'] = String(err.extra['retryAfter']);
        if (err.status === 413) headers['connection'] = 'close';
        return json(res, err.status, { error: err.message }, headers);
      }
      this.log(ft(this.o.lang, 'server.error', { what: `${req.method} ${req.url}`, why: err instanceof Error ? err.message : String(err) }));
      json(res, 500, { error: 'internal error' });
    });
  }

  // ── correlation ─────────────────────────────────────────────────────
  async correlateNow(): Promise<void> {
    this.slugsLoaded ??= import('../rules/index.js').then((m) => {
      for (const r of m.RULES) this.slugs.set(r.meta.code, r.meta.slug);
    });
    await this.slugsLoaded;
    const t = this.now();
    if (!(await this.store.lease('correlate', this.holder, t, this.tickMs * 10))) return;
    this.dirty = false;
    this.lastPass = t;
    const [agents, states, reports, open] = await Promise.all([this.store.agents(this.onlineAfter()), this.store.states(), this.store.reportInfos(), this.store.incidents('open')]);
    const groups = correlate({ agents, states, reports, freshAfter: t - 10 * 60_000, now: t });
    const out = reconcile(groups, open, t, this.slugOf);
    for (const i of out.save) await this.store.saveIncident(i);
    for (const [list, state] of [
      [out.opened, 'opened'],
      [out.located, 'located'],
      [out.recovered, 'recovered'],
    ] as const) {
      for (const i of list) this.log(ft(this.o.lang, 'server.incident', { id: i.id, state: ft(this.o.lang, `incident.${state}`), summary: incidentSummary(i, this.o.lang, this.slugOf) }));
    }
    const targets = this.o.targets();
    for (const a of out.ask) {
      const input = targets.byName.get(a.target)?.input ?? a.target;
      await this.store.enqueue(a.agent, { kind: 'diagnose', target: input, options: {}, deadline: t + 60_000 }, `compare:${a.incident}`, t, a.target);
      this.wake(a.agent);
    }
  }

  private tick(): void {
    if (this.closed) return;
    const t = this.now();
    const fail = (what: string) => (err: unknown) => this.log(ft(this.o.lang, 'server.error', { what, why: err instanceof Error ? err.message : String(err) }));
    if (this.waiters.size > 0)
      void this.store
        .waiting(t)
        .then((set) => {
          for (const a of set) this.wake(a);
        })
        .catch(fail('commands'));
    if (this.dirty || t - this.lastPass >= 5 * this.tickMs) void this.correlateNow().catch(fail('correlation'));
    if (t % 600_000 < this.tickMs) {
      void this.store.prune(t - 3_600_000).catch(fail('prune'));
      void this.store.pruneHistory(t - HISTORY_DAYS * 86_400_000).catch(fail('prune'));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const set of this.waiters.values()) for (const w of [...set]) w();
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

function incidentView(i: IncidentRow, summary: string): Record<string, unknown> {
  const a = i.affected as { agents?: string[]; watchers?: number; counts?: unknown[] } | null;
  return {
    id: i.id,
    target: i.target,
    code: i.code,
    status: i.status,
    scope: i.scope,
    summary,
    affected: a?.counts ?? [],
    agents: a?.agents ?? [],
    watchers: a?.watchers ?? 0,
    commonEvidence: i.evidence,
    firstSeen: new Date(i.firstSeen).toISOString(),
    classifiedAt: new Date(i.classifiedAt).toISOString(),
    locatedAt: i.locatedAt === null ? null : new Date(i.locatedAt).toISOString(),
    recoveredAt: i.recoveredAt === null ? null : new Date(i.recoveredAt).toISOString(),
    timeline: timeline(i),
  };
}
