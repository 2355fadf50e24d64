/**
 * A rule: one file per fault code, exporting `meta` and a pure `check`.
 * The fault manual (`netdx faults`, docs/faults.md) is generated from the metas.
 */
import type { Lang, Severity } from '../model/layer.js';
import { fill, type RuleMeta } from '../model/fault.js';
export type { FixTemplate, RuleMeta } from '../model/fault.js';
export { fill };
import type { Observation, ObservationData, ObservationKind } from '../model/observation.js';
import { ofKind } from '../model/observation.js';
import type { Evidence, Finding, Fix } from '../model/report.js';
import { isMsg, msg, registerTexts, renderMsg, type Msg, type MsgParam } from '../model/message.js';
import type { Target } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';
import type { DiagnoseOptions } from '../model/options.js';



/** What a rule sees: the target, the options, every observation, the snapshot, the language. */
export interface RuleContext {
  target: Target;
  options: DiagnoseOptions;
  observations: readonly Observation[];
  snapshot: Snapshot | null;
  lang: Lang;
  now: Date;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): Finding | null;
}

const REGISTERED = new WeakSet<RuleMeta>();

/** Puts a meta's texts in the message catalog: `CODE.title`, `CODE.explanation`, `CODE.fix.N`, `CODE.<key>`. */
export function registerMeta(meta: RuleMeta): void {
  if (REGISTERED.has(meta)) return;
  REGISTERED.add(meta);
  for (const k of Object.keys(meta.messages ?? {})) if (k === 'title' || k === 'explanation' || k.startsWith('fix.')) throw new Error(`${meta.code}: messages.${k} would shadow the meta's own text`);
  registerTexts(meta.code, { title: meta.title, explanation: meta.explanation, ...Object.fromEntries(meta.fix.map((f, i) => [`fix.${i}`, f.summary])), ...meta.messages });
}

/** The builder of a rule's own messages (declared in meta.messages): `m('key', { dst })`. */
export function ruleMessages(meta: RuleMeta): (key: string, params?: Record<string, MsgParam>) => Msg {
  registerMeta(meta);
  return (key, params) => msg(`${meta.code}.${key}`, params);
}

/** A fix as a rule builds it: a message (or, for old code, a ready string) and maybe a command. */
export interface FixPart {
  summary: string | Msg;
  command?: string;
}

export interface FindingParts {
  vars?: Record<string, MsgParam>;
  evidence: Evidence[];
  /** Fixes; when omitted, the meta's templates are filled with vars (templates with unfilled placeholders are dropped to summary-only). */
  fix?: Array<Fix | FixPart>;
  /** Override title / explanation: a message (preferred), or text already in the context's language. */
  title?: string | Msg;
  explanation?: string | Msg;
  severity?: Severity;
}

/** A text field and its message: the text in `lang`, the message kept beside it. */
function said(lang: Lang, m: Msg): { text: string; msg?: Msg } {
  return { text: renderMsg(m, lang), msg: m };
}

/**
 * Builds a Finding from a meta and the case's values. Title, explanation and fixes are rendered in
 * the context's language (evidence in English) and keep its message (`titleMsg`, `explanationMsg`, `summaryMsg`) so a renderer can
 * speak any language; the engine judges in English (the JSON report's text is English).
 */
export function makeFinding(meta: RuleMeta, ctx: Pick<RuleContext, 'lang'>, parts: FindingParts): Finding {
  registerMeta(meta);
  const vars = parts.vars ?? {};
  const lang = ctx.lang;
  const fixIn: Array<Fix | FixPart> =
    parts.fix ??
    meta.fix.map((_, i) => metaFix(meta, i, vars));
  const fix: Fix[] = fixIn.map((f) => {
    const m = isMsg(f.summary) ? f.summary : 'summaryMsg' in f ? f.summaryMsg : undefined;
    const out: Fix = m ? { summary: renderMsg(m, lang), summaryMsg: m } : { summary: f.summary as string };
    if (f.command !== undefined) out.command = f.command;
    return out;
  });
  const title = parts.title === undefined ? said(lang, msg(`${meta.code}.title`, vars)) : isMsg(parts.title) ? said(lang, parts.title) : { text: parts.title } as { text: string; msg?: Msg };
  const explanation = parts.explanation === undefined ? said(lang, msg(`${meta.code}.explanation`, vars)) : isMsg(parts.explanation) ? said(lang, parts.explanation) : { text: parts.explanation } as { text: string; msg?: Msg };
  return {
    code: meta.code,
    slug: meta.slug,
    layer: meta.layer,
    severity: parts.severity ?? meta.severity,
    title: title.text,
    ...(title.msg ? { titleMsg: title.msg } : {}),
    explanation: explanation.text,
    ...(explanation.msg ? { explanationMsg: explanation.msg } : {}),
    // Evidence text stays English (data-like; the renderers speak its message).
    evidence: parts.evidence,
    fix,
  };
}

/** Evidence line pointing at an observation: its summary is a message (or, for old code, English text). */
export function evidence<K extends ObservationKind>(kind: K, summary: string | Msg, data?: Partial<ObservationData[K]> | Record<string, unknown>): Evidence {
  const said = isMsg(summary) ? { summary: renderMsg(summary, 'en'), summaryMsg: summary } : { summary };
  return data === undefined ? { observation: kind, ...said } : { observation: kind, ...said, data: data as Record<string, unknown> };
}

/** The meta's fix number `index` with the case's values (its command dropped when a placeholder stays unfilled). */
export function metaFix(meta: RuleMeta, index: number, vars: Record<string, MsgParam> = {}): FixPart {
  registerMeta(meta);
  const t = meta.fix[index]!;
  const summary = msg(`${meta.code}.fix.${index}`, vars);
  if (!t.command) return { summary };
  const command = fill(t.command, vars);
  return /\{[a-zA-Z0-9_]+\}/.test(command) ? { summary } : { summary, command };
}

/** A fix with a message summary (and a command when the fix is one). */
export const fixOf = (summary: Msg, command?: string): FixPart => (command === undefined ? { summary } : { summary, command });

export { ofKind, msg };
export type { Msg, MsgParam };

/** A rule whose check is not implemented yet: never pretends. */
export function notImplemented(meta: RuleMeta): Rule {
  return { meta: { ...meta, implemented: false }, check: () => null };
}
