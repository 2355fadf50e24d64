/**
 * A rule: one file per fault code, exporting `meta` and a pure `check`.
 * The fault manual (`netdx faults`, docs/faults.md) is generated from the metas.
 */
import type { Lang, Severity, Text } from '../model/layer.js';
import { fill, type RuleMeta } from '../model/fault.js';
export type { FixTemplate, RuleMeta } from '../model/fault.js';
export { fill };
import type { Observation, ObservationData, ObservationKind } from '../model/observation.js';
import { ofKind } from '../model/observation.js';
import type { Evidence, Finding, Fix } from '../model/report.js';
import { msg, registerMessage, renderMessage, type Message, type MessageDef, type Params } from '../model/message.js';
export { defineMessages, msg, type Message } from '../model/message.js';
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

/** A fix as a rule writes it: its summary a message (or, for text that is data already, a string). */
export interface FixPart {
  summary: string | Message;
  command?: string;
}

export interface FindingParts {
  vars?: Record<string, string | number>;
  evidence: Evidence[];
  /** Fixes; when omitted, the meta's templates are filled with vars (a command with unfilled placeholders is dropped to its summary; a summary with them, entirely). */
  fix?: FixPart[];
  /** Override title / explanation (a message; a plain string is shown as it is in every language). */
  title?: string | Message;
  explanation?: string | Message;
  severity?: Severity;
}

/** The meta's templates in the message catalog: `CODE.title`, `CODE.explanation`, `CODE.fix.N`, their params the case's vars. */
export function registerMetaMessages(meta: RuleMeta): { title: string; explanation: string; fix: string[] } {
  const ids = { title: `${meta.code}.title`, explanation: `${meta.code}.explanation`, fix: meta.fix.map((_, i) => `${meta.code}.fix.${i}`) };
  registerMessage(ids.title, meta.title);
  registerMessage(ids.explanation, meta.explanation);
  meta.fix.forEach((f, i) => registerMessage(ids.fix[i]!, f.summary));
  return ids;
}

/** Does the template keep a {placeholder} that vars do not fill? */
const unfilled = (template: string, vars: Record<string, unknown>): boolean => [...template.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].some((m) => !(m[1]! in vars));

/**
 * A template of the meta (its title, explanation or a fix summary) as a message whose placeholders
 * are told in each language from plain params: `metaText(meta.title, words)` with
 * `words(lang, p)` giving the placeholder values in that language.
 */
export function metaText<P extends Params>(template: Text, words: (lang: Lang, p: P) => Record<string, string | number>): MessageDef<P> {
  return msg(
    (p: P) => fill(template.en, words('en', p)),
    (p) => fill(template.zh, words('zh', p)),
  );
}

/** One of the meta's own fixes as a message (for a rule that picks some of them): `CODE.fix.N` with the case's params. */
export function metaFix(meta: RuleMeta, index: number, params: Record<string, string | number>): FixPart {
  const ids = registerMetaMessages(meta);
  const id = ids.fix[index];
  const t = meta.fix[index];
  if (id === undefined || t === undefined) throw new Error(`${meta.code} has no fix ${index}`);
  const command = t.command ? fill(t.command, params) : undefined;
  return command !== undefined && !unfilled(command, {}) ? { summary: { id, params: { ...params } }, command } : { summary: { id, params: { ...params } } };
}

const isMessage = (x: string | Message): x is Message => typeof x !== 'string';
/** A text of the finding in the context's language, with its message when it has one. */
function localize(x: string | Message, lang: Lang): { text: string; message?: Message } {
  if (!isMessage(x)) return { text: x };
  const text = renderMessage(x, lang);
  if (text === null) throw new Error(`message ${x.id} is not in the catalog`);
  return { text, message: x };
}

/**
 * Builds a Finding from a meta and the case's values. Every text is rendered in the context's
 * language and keeps its message id with parameters (the JSON report carries both; renderers
 * render the message in the reader's language).
 */
export function makeFinding(meta: RuleMeta, ctx: Pick<RuleContext, 'lang'>, parts: FindingParts): Finding {
  const vars = parts.vars ?? {};
  const ids = registerMetaMessages(meta);
  const fixParts: FixPart[] =
    parts.fix ??
    meta.fix.flatMap((t, i): FixPart[] => {
      if (unfilled(t.summary.en, vars)) return [];
      const summary: Message = { id: ids.fix[i]!, params: { ...vars } };
      if (!t.command) return [{ summary }];
      const command = fill(t.command, vars);
      return unfilled(command, {}) ? [{ summary }] : [{ summary, command }];
    });
  const fix: Fix[] = fixParts.map((x) => {
    const l = localize(x.summary, ctx.lang);
    return { summary: l.text, ...(l.message ? { message: l.message } : {}), ...(x.command !== undefined ? { command: x.command } : {}) };
  });
  const title = localize(parts.title ?? { id: ids.title, params: { ...vars } }, ctx.lang);
  const explanation = localize(parts.explanation ?? { id: ids.explanation, params: { ...vars } }, ctx.lang);
  return {
    code: meta.code,
    slug: meta.slug,
    layer: meta.layer,
    severity: parts.severity ?? meta.severity,
    title: title.text,
    explanation: explanation.text,
    ...(title.message && explanation.message ? { messages: { title: title.message, explanation: explanation.message } } : {}),
    evidence: parts.evidence.map((e) => (e.message ? { ...e, summary: renderMessage(e.message, ctx.lang) ?? e.summary } : e)),
    fix,
  };
}

/** Evidence line pointing at an observation; its summary a message (rendered in English here, in the finding's language by makeFinding). */
export function evidence<K extends ObservationKind>(kind: K, summary: string | Message, data?: Partial<ObservationData[K]> | Record<string, unknown>): Evidence {
  const text = isMessage(summary) ? { summary: renderMessage(summary, 'en') ?? summary.id, message: summary } : { summary };
  return data === undefined ? { observation: kind, ...text } : { observation: kind, ...text, data: data as Record<string, unknown> };
}

export { ofKind };
