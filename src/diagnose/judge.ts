/**
 * Judge and assemble: every rule looks at the observations, the findings are ranked causally,
 * and each walked layer gets its status. Pure: the same observations give the same Report.
 */
import { LAYERS, type Layer, type LayerStatus } from '../model/layer.js';
import { ofKind, type Observation } from '../model/observation.js';
import type { Finding, LayerRow, Report } from '../model/report.js';
import { REPORT_SCHEMA_ID } from '../model/report-id.js';
import type { Target } from '../model/target.js';
import { RULES } from '../rules/index.js';
import type { RuleContext, RuleMeta } from '../rules/types.js';
import type { Snapshot } from '../model/snapshot.js';
import type { DiagnoseOptions } from '../model/options.js';
import { rankFindings, type Ranked } from './rank.js';
import { isMsg, messageText, renderMsg, semicolonList, type Msg } from '../model/message.js';
import { m } from '../report/i18n.js';

const META = new Map<string, RuleMeta & { order: number }>(RULES.map((r, i) => [r.meta.code, { ...r.meta, order: i }]));
export const metaOf = (code: string): (RuleMeta & { order: number }) | undefined => META.get(code);

/** Runs every rule; a rule that throws is a bug: it is reported as an unknown check, never as a fault. */
export function runRules(ctx: RuleContext, codes?: readonly string[]): { findings: Finding[]; broken: Array<{ code: string; error: string }> } {
  const findings: Finding[] = [];
  const broken: Array<{ code: string; error: string }> = [];
  for (const r of RULES) {
    if (codes && !codes.includes(r.meta.code)) continue;
    try {
      const f = r.check(ctx);
      if (f) findings.push(f);
    } catch (err) {
      broken.push({ code: r.meta.code, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { findings, broken };
}

/**
 * Only some rules, judged and ranked as in a diagnosis: for a tool that made only some of the
 * observations (`netdx trace` runs the path rules over its trace). A rule that throws is left out.
 */
export function judgeFindings(ctx: RuleContext, codes?: readonly string[]): Ranked {
  return rankFindings(runRules(ctx, codes).findings, metaOf);
}

export interface JudgeInput {
  target: Target;
  options: DiagnoseOptions;
  observations: Observation[];
  snapshot: Snapshot | null;
  startedAt: Date;
  durationMs: number;
  layerMs: (l: Layer) => number;
  /** Layers not walked, with why (a message; a plain string for old code). */
  skips: Map<Layer, string | Msg>;
  addresses: string[];
  now: Date;
}

export function judge(input: JudgeInput): Report {
  const { target, options, observations, snapshot } = input;
  // The report's text is English; its messages let the renderers speak options.lang.
  const { findings, broken } = runRules({ target, options, observations, snapshot, lang: 'en', now: input.now });
  const obs = [...observations];
  for (const b of broken) {
    const layer = metaOf(b.code)?.layer ?? 'host';
    const reasonMsg = m('reason.ruleFailed', { error: b.error });
    obs.push({ kind: 'check.unknown', at: input.now.toISOString(), ms: 0, data: { layer, check: b.code, reason: renderMsg(reasonMsg, 'en'), reasonMsg } });
  }
  const { primary, findings: ranked } = rankFindings(findings, metaOf);
  const verdict: Report['verdict'] = ranked.some((f) => f.severity === 'error') ? 'fault' : ranked.some((f) => f.severity === 'warning') ? 'degraded' : 'ok';
  return {
    schema: REPORT_SCHEMA_ID,
    target: { input: target.input, host: target.host, port: target.port, protocol: target.protocol, addresses: input.addresses },
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    verdict,
    primary,
    findings: ranked,
    layers: layerRows(ranked, obs, input),
    observations: obs,
    lang: options.lang,
  };
}

function layerRows(findings: Finding[], obs: Observation[], input: JudgeInput): LayerRow[] {
  const unknowns = ofKind(obs, 'check.unknown');
  const rows: LayerRow[] = [];
  for (const layer of LAYERS) {
    const here = findings.filter((f) => f.layer === layer);
    const ms = input.layerMs(layer);
    let status: LayerStatus;
    let reason: string | Msg | undefined;
    if (here.some((f) => f.severity === 'error')) status = 'fail';
    else if (here.some((f) => f.severity === 'warning')) status = 'warn';
    else if (input.skips.has(layer)) {
      status = 'skip';
      reason = input.skips.get(layer);
    } else if (layer === 'tls' && unnamedTlsFailure(obs, findings)) {
      status = 'unknown';
      reason = unnamedTlsFailure(obs, findings)!;
    } else if (layer === 'app' && unnamedHttpFailure(obs, findings)) {
      status = 'unknown';
      reason = unnamedHttpFailure(obs, findings)!;
    } else {
      const u = unknowns.filter((o) => o.data.layer === layer);
      if (u.length > 0 && !hasPositiveEvidence(layer, obs)) {
        status = 'unknown';
        reason = semicolonList(u.map((o) => m('reason.unknownCheck', { check: checkName(o.data.check), reason: o.data.reasonMsg ?? o.data.reason }))) as Msg;
      } else status = 'pass';
    }
    rows.push(reason === undefined ? { layer, status, ms } : isMsg(reason) ? { layer, status, ms, reason: renderMsg(reason, 'en'), reasonMsg: reason } : { layer, status, ms, reason });
  }
  return rows;
}

/** A check's name in the reader's language when the catalog has it ('path trace' → check.path trace). */
function checkName(check: string): string | Msg {
  return messageText(`check.${check}`) ? { id: `check.${check}` } : check;
}

/**
 * A handshake that failed for a reason no TLS code names (e.g. an oversized certificate message):
 * the layer did not pass, but netdx will not invent a cause — it is `unknown`, with the error.
 */
function unnamedTlsFailure(obs: Observation[], findings: Finding[]): Msg | null {
  if (findings.some((f) => f.layer === 'tls' || f.layer === 'transport')) return null;
  const bad = ofKind(obs, 'tls.handshake').find((h) => h.data.outcome !== 'ok');
  return bad ? m('reason.tlsUnnamed', { outcome: bad.data.outcome, error: `${bad.data.errorCode ?? ''} ${bad.data.error ?? ''}`.trim() }) : null;
}

/** An HTTP request that got no response, or a body that stopped, that no finding names: `unknown`. */
function unnamedHttpFailure(obs: Observation[], findings: Finding[]): Msg | null {
  if (findings.some((f) => f.severity === 'error')) return null;
  const r = ofKind(obs, 'http.response')[0]?.data;
  if (!r) return null;
  if (r.outcome !== 'response') return m('reason.httpUnnamed', { outcome: r.outcome, error: r.error ?? '' });
  if (r.body?.stalled) return r.body.length !== undefined ? m('reason.httpBodyStalledOf', { status: r.status ?? '', bytes: r.body.bytes, length: r.body.length }) : m('reason.httpBodyStalled', { status: r.status ?? '', bytes: r.body.bytes });
  return null;
}

/** Whether the layer has an observation that shows it working despite an unknown sub-check. */
function hasPositiveEvidence(layer: Layer, obs: Observation[]): boolean {
  switch (layer) {
    case 'network':
      return ofKind(obs, 'tcp.connect').some((t) => t.data.outcome === 'open' || t.data.outcome === 'refused') || ofKind(obs, 'icmp.echo').some((e) => e.data.received > 0);
    case 'dns':
      return ofKind(obs, 'dns.system').some((s) => s.data.addresses.length > 0);
    default:
      return false;
  }
}
