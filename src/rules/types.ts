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

export interface FindingParts {
  vars?: Record<string, string | number>;
  evidence: Evidence[];
  /** Fixes; when omitted, the meta's templates are filled with vars (templates with unfilled placeholders are dropped to summary-only). */
  fix?: Fix[];
  /** Override title / explanation text (already localized) */
  title?: string;
  explanation?: string;
  severity?: Severity;
}

/** Builds a Finding from a meta and the case's values in the context's language. */
export function makeFinding(meta: RuleMeta, ctx: Pick<RuleContext, 'lang'>, parts: FindingParts): Finding {
  const vars = parts.vars ?? {};
  const fix: Fix[] =
    parts.fix ??
    meta.fix.map((t) => {
      const summary = fill(t.summary[ctx.lang], vars);
      if (!t.command) return { summary };
      const command = fill(t.command, vars);
      return /\{[a-zA-Z0-9_]+\}/.test(command) ? { summary } : { summary, command };
    });
  return {
    code: meta.code,
    slug: meta.slug,
    layer: meta.layer,
    severity: parts.severity ?? meta.severity,
    title: parts.title ?? fill(meta.title[ctx.lang], vars),
    explanation: parts.explanation ?? fill(meta.explanation[ctx.lang], vars),
    evidence: parts.evidence,
    fix,
  };
}

/** Evidence line pointing at an observation. */
export function evidence<K extends ObservationKind>(kind: K, summary: string, data?: Partial<ObservationData[K]> | Record<string, unknown>): Evidence {
  return data === undefined ? { observation: kind, summary } : { observation: kind, summary, data: data as Record<string, unknown> };
}

export { ofKind };
