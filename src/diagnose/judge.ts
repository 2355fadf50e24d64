/**
 * Judge and assemble: every rule looks at the observations, the findings are ranked causally,
 * and each walked layer gets its status. Pure: the same observations give the same Report.
 */
import { formatHostPort } from '../model/target.js';
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
import { verdictOf } from './verdict.js';
import type { Lang } from '../model/layer.js';
import { t } from '../report/i18n.js';
import { checkText, reasonText } from '../report/reasons.js';
import { plainReason, reasonOf, type RowReason } from './reason.js';
import { said } from '../rules/helpers.js';

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
  /** Layers not walked, with why. */
  skips: Map<Layer, RowReason>;
  addresses: string[];
  now: Date;
}

export function judge(input: JudgeInput): Report {
  const { target, options, observations, snapshot } = input;
  const { findings, broken } = runRules({ target, options, observations, snapshot, lang: options.lang, now: input.now });
  const obs = [...observations];
  for (const b of broken) {
    const layer = metaOf(b.code)?.layer ?? 'host';
    obs.push({ kind: 'check.unknown', at: input.now.toISOString(), ms: 0, data: { layer, check: b.code, reason: `rule failed: ${b.error}` } });
  }
  const { primary, findings: ranked } = rankFindings(findings, metaOf);
  const layers = layerRows(ranked, obs, input);
  const { verdict, undetermined } = verdictOf(ranked, layers);
  return {
    schema: REPORT_SCHEMA_ID,
    target: { input: target.input, host: target.host, port: target.port, protocol: target.protocol, addresses: input.addresses, ...(target.display !== undefined ? { display: target.display } : {}) },
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    verdict,
    ...(undetermined ? { undetermined } : {}),
    primary,
    findings: ranked,
    layers,
    observations: obs,
    lang: options.lang,
  };
}

function layerRows(findings: Finding[], obs: Observation[], input: JudgeInput): LayerRow[] {
  const lang = input.options.lang;
  const unknowns = ofKind(obs, 'check.unknown');
  const rows: LayerRow[] = [];
  for (const layer of LAYERS) {
    const here = findings.filter((f) => f.layer === layer);
    const ms = input.layerMs(layer);
    let status: LayerStatus;
    let reason: RowReason | undefined;
    if (here.some((f) => f.severity === 'error')) status = 'fail';
    else if (here.some((f) => f.severity === 'warning')) status = 'warn';
    else if (input.skips.has(layer)) {
      status = 'skip';
      reason = input.skips.get(layer);
    } else if (layer === 'dns' && unnamedDnsFailure(input, obs, lang)) {
      status = 'unknown';
      reason = unnamedDnsFailure(input, obs, lang)!;
    } else if (layer === 'network' && unnamedEchoFailure(input, obs, lang)) {
      status = 'unknown';
      reason = unnamedEchoFailure(input, obs, lang)!;
    } else if (layer === 'transport' && unnamedTcpFailure(input, obs, lang)) {
      status = 'unknown';
      reason = unnamedTcpFailure(input, obs, lang)!;
    } else if (layer === 'tls' && unnamedTlsFailure(obs, input.target, lang)) {
      status = 'unknown';
      reason = unnamedTlsFailure(obs, input.target, lang)!;
    } else if (layer === 'app' && unnamedHttpFailure(obs, lang)) {
      status = 'unknown';
      reason = unnamedHttpFailure(obs, lang)!;
    } else {
      const u = unknowns.filter((o) => o.data.layer === layer);
      if (u.length > 0 && !hasPositiveEvidence(layer, obs)) {
        status = 'unknown';
        const each = u.map((o) => reasonOf(lang, 'row.unknownCheck', { check: checkText(lang, o.data.check), reason: reasonText(lang, o.data.reason) }));
        // Several unknown checks: their texts joined, and no one template to name.
        reason = each.length === 1 ? each[0]! : plainReason(each.map((r) => r.text).join(lang === 'zh' ? '；' : '; '));
      } else status = 'pass';
    }
    // The message's parameters are the English words the text was filled with: kept for an English-judged report (the JSON).
    const message = reason?.message !== undefined && lang === 'en' ? reason.message : null;
    rows.push(reason === undefined ? { layer, status, ms } : message ? { layer, status, ms, reason: reason.text, reasonMessage: message } : { layer, status, ms, reason: reason.text });
  }
  return rows;
}

/** The target's name did not resolve and no finding names why (e.g. a resolver error no DNS rule knows). */
function unnamedDnsFailure(input: JudgeInput, obs: Observation[], lang: Lang): RowReason | null {
  if (input.target.ipFamily !== null || input.addresses.length > 0) return null;
  const sys = ofKind(obs, 'dns.system')[0];
  if (!sys) return null;
  return reasonOf(lang, 'reason.dnsUnnamed', { why: sys.data.error ?? t(lang, 'reason.noAddress') });
}

/** A network-level target (no port) whose echoes all went unanswered, with no finding to say why. */
function unnamedEchoFailure(input: JudgeInput, obs: Observation[], lang: Lang): RowReason | null {
  if (input.target.port !== null) return null;
  const addr = input.addresses[0];
  const echo = ofKind(obs, 'icmp.echo').find((e) => e.data.address === addr);
  if (!addr || !echo || echo.data.method === 'unavailable' || echo.data.sent === 0 || echo.data.received > 0) return null;
  const vars = { addr, sent: echo.data.sent };
  return echo.data.errors.length > 0 ? reasonOf(lang, 'reason.echoUnnamedErrors', { ...vars, errors: echo.data.errors.map((e) => e.name).join(', ') }) : reasonOf(lang, 'reason.echoUnnamed', vars);
}

/** The target's port did not open (timeout, error, reset) and no finding names why. */
function unnamedTcpFailure(input: JudgeInput, obs: Observation[], lang: Lang): RowReason | null {
  const conns = ofKind(obs, 'tcp.connect');
  if (conns.length === 0 || conns.some((c) => c.data.outcome === 'open')) return null;
  const c = conns.find((x) => x.data.address === input.addresses[0]) ?? conns[0]!;
  const vars = { dst: formatHostPort(c.data.address, c.data.port), outcome: said(lang, c.data.outcome) };
  return c.data.errno ? reasonOf(lang, 'reason.tcpUnnamedErrno', { ...vars, errno: c.data.errno }) : reasonOf(lang, 'reason.tcpUnnamed', vars);
}

/**
 * A handshake that failed and that no TLS finding names (an oversized certificate message, a peer
 * that closed or reset after the ClientHello, which TCP-004 names one layer down): the layer did
 * not pass, and netdx will not invent a TLS cause — it is `unknown`, with the raw error. A FIN is
 * called a close, not a reset, whatever node's error code says.
 * Each of these detectors runs only when no finding of its own layer exists (those make the row
 * fail/warn first); a finding in another layer does not make a failed layer `pass`.
 */
function unnamedTlsFailure(obs: Observation[], target: Target, lang: Lang): RowReason | null {
  const bad = ofKind(obs, 'tls.handshake').find((h) => h.data.outcome !== 'ok');
  // The server asked for a client certificate none was offered, and the one HTTP request that
  // could confirm a refusal (TLS-007) did not settle it: it will likely refuse, netdx cannot say.
  const asked = ofKind(obs, 'tls.handshake').some((h) => h.data.clientCertRequested === true && !h.data.clientCertOffered);
  const r = ofKind(obs, 'http.response')[0]?.data;
  if (!bad && asked && target.protocol === 'tls' && (!r || r.outcome !== 'response' || (r.status ?? 0) >= 400)) {
    const check = !r
      ? t(lang, 'reason.noHttpCheck')
      : t(lang, 'reason.httpCheck', { why: r.outcome === 'response' ? String(r.status) : lang === 'zh' ? httpFailureZh(r.outcome, r.error) : `${r.outcome} ${r.error ?? ''}`.trim() });
    return reasonOf(lang, 'reason.tlsClientCert', { why: check });
  }
  if (!bad) return null;
  const d = bad.data;
  if (d.outcome === 'verify-failed') return reasonOf(lang, 'reason.tlsVerify', { why: d.verify.code ?? t(lang, d.verify.hostnameOk === false ? 'reason.nameMismatch' : 'reason.noCode') });
  if (d.outcome === 'closed') return reasonOf(lang, 'reason.tlsClosed');
  if (d.outcome === 'reset') return d.errorCode ? reasonOf(lang, 'reason.tlsResetCode', { code: d.errorCode }) : reasonOf(lang, 'reason.tlsReset');
  if (lang === 'zh') return reasonOf(lang, 'reason.tlsUnnamed', { outcome: said(lang, d.outcome), why: [d.errorCode, d.error ? reasonText(lang, d.error) : null].filter(Boolean).join(' ') });
  const why = `${d.errorCode ?? ''} ${d.error ?? ''}`.replace(/\s+/g, ' ').trim();
  return why === '' ? plainReason(`TLS handshake ${d.outcome}:`) : reasonOf(lang, 'reason.tlsUnnamed', { outcome: d.outcome, why });
}

/** An HTTP request that got no response, in Chinese: its outcome and the probe's error. */
const httpFailureZh = (outcome: string, error: string | null | undefined): string => `${said('zh', outcome)}${error ? `（${reasonText('zh', error)}）` : ''}`;

/** An HTTP request that got no response, or a body that stopped, that no app finding names: `unknown`. */
function unnamedHttpFailure(obs: Observation[], lang: Lang): RowReason | null {
  // A heartbeat that could not even be sent (connect or TLS failed in the heartbeat probe): APP-001 judges only beats sent.
  const hb = ofKind(obs, 'app.heartbeat').find((x) => x.data.sent === 0 && x.data.error);
  if (hb) return reasonOf(lang, 'reason.heartbeatNotSent', { why: reasonText(lang, hb.data.error!) });
  const r = ofKind(obs, 'http.response')[0]?.data;
  if (!r) return null;
  if (r.outcome !== 'response')
    return lang === 'zh'
      ? reasonOf(lang, 'reason.httpUnnamed', { outcome: said(lang, r.outcome), why: reasonText(lang, r.error ?? '') })
      : r.error
        ? reasonOf(lang, 'reason.httpUnnamed', { outcome: r.outcome, why: r.error })
        : plainReason(`HTTP ${r.outcome}:`);
  if (r.body?.stalled) {
    const vars = { status: r.status ?? '', bytes: r.body.bytes };
    return r.body.length !== undefined ? reasonOf(lang, 'reason.httpBodyStalledOf', { ...vars, length: r.body.length }) : reasonOf(lang, 'reason.httpBodyStalled', vars);
  }
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
