/**
 * The daemon's HTTP side (node:http): /metrics, /probe (blackbox-compatible), /api/targets,
 * /api/targets/NAME/report, /api/targets/NAME/history. Read-only; nothing here starts a probe
 * except /probe.
 */
import http from 'node:http';
import type { Lang } from '../model/layer.js';
import type { Monitor, TargetRuntime } from './loop.js';
import type { Store } from './store.js';
import { handleProbe, type ProbeDeps } from './probe.js';
import type { Exposition } from './metrics.js';
import { checkReason, mt } from './messages.js';

export interface ServerDeps {
  monitor: () => Monitor;
  registry: () => Exposition;
  store: Store | null;
  probe: Omit<ProbeDeps, 'lang'>;
  lang: Lang;
}

export function targetSummary(r: TargetRuntime, lang: Lang): Record<string, unknown> {
  const report = r.report;
  return {
    name: r.spec.name,
    target: r.spec.input,
    protocol: r.spec.target.protocol,
    labels: r.spec.labels,
    state: r.state,
    stateText: mt(lang, `state.${r.state}`),
    since: new Date(r.since).toISOString(),
    up: r.last ? r.last.ok : null,
    lastCheck: r.last
      ? {
          at: new Date(r.last.at).toISOString(),
          ok: r.last.ok,
          ms: Math.round(r.last.ms * 10) / 10,
          reason: r.last.ok ? null : checkReason(r.last.signature, r.spec.checkTimeoutMs, lang),
          detail: r.last.reason,
          address: r.last.address,
        }
      : null,
    diagnosedAt: r.reportAt !== null ? new Date(r.reportAt).toISOString() : null,
    verdict: report?.verdict ?? null,
    undetermined: report?.undetermined ?? [],
    primary: report?.primary ? { code: report.primary.code, slug: report.primary.slug, layer: report.primary.layer, title: report.primary.title } : null,
    findings: (report?.findings ?? []).map((f) => ({
      code: f.code,
      slug: f.slug,
      layer: f.layer,
      severity: f.severity,
      primary: report?.primary?.code === f.code,
      title: f.title,
      explainedBy: f.explainedBy ?? null,
    })),
    escalation: r.escalation,
    report: `/api/targets/${encodeURIComponent(r.spec.name)}/report`,
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
const json = (res: http.ServerResponse, status: number, v: unknown): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(v, null, 2) + '\n');

export function createServer(deps: ServerDeps): http.Server {
  return http.createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'GET only\n');
    if (path === '/metrics') {
      const reg = deps.registry();
      return send(res, 200, reg.contentType, await reg.metrics());
    }
    if (path === '/probe') {
      const a = await handleProbe(
        { target: url.searchParams.get('target'), module: url.searchParams.get('module'), scrapeTimeout: (req.headers['x-prometheus-scrape-timeout-seconds'] as string | undefined) ?? null },
        { ...deps.probe, lang: deps.lang },
      );
      return send(res, a.status, a.contentType, a.body);
    }
    if (path === '/api/targets')
      return json(
        res,
        200,
        deps
          .monitor()
          .targets()
          .map((r) => targetSummary(r, deps.lang)),
      );
    const m = /^\/api\/targets\/([^/]+)(?:\/(report|history))?$/.exec(path);
    if (m) {
      const name = decodeURIComponent(m[1]!);
      const r = deps.monitor().target(name);
      if (!r) return json(res, 404, { error: mt(deps.lang, 'api.notFound', { name }) });
      if (m[2] === 'report') {
        if (!r.report) return json(res, 404, { error: mt(deps.lang, 'api.noReport', { name }) });
        return json(res, 200, r.report);
      }
      if (m[2] === 'history') return json(res, 200, deps.store ? deps.store.changes(name, 1000) : []);
      return json(res, 200, targetSummary(r, deps.lang));
    }
    if (path === '/-/healthy') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    if (path === '/')
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        '<html><body><h1>netdx monitor</h1><ul><li><a href="/metrics">/metrics</a></li><li><a href="/api/targets">/api/targets</a></li><li>/probe?target=HOST:PORT&amp;module=tls</li></ul></body></html>\n',
      );
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}
