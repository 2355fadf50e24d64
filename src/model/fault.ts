/**
 * What a fault code is, as data: the rule meta every rule file exports and the fault manual
 * (`netdx faults`, docs/faults.md) is generated from. Renderers read it; rules fill it.
 */
import { fillTemplate } from './message.js';
import type { Lang, Layer, Severity, Text } from './layer.js';

export interface FixTemplate {
  summary: Text;
  /** Command template with {placeholders} filled from the case; absent when the fix is not a command. */
  command?: string;
}

export interface RuleMeta {
  code: string; // 'NET-001'
  slug: string; // 'no-route'
  layer: Layer;
  severity: Severity;
  /** Title template, may use {placeholders}. */
  title: Text;
  explanation: Text;
  /** What proves it (manual text). */
  evidence: Text;
  fix: FixTemplate[];
  /** Codes this finding explains when both are present (causal ranking, faults.md "Which finding is primary"). */
  explains?: string[];
}

/** Fills {name} placeholders; unknown names stay visible so a test can catch them. */
export function fill(template: string, vars: Record<string, string | number>): string {
  return fillTemplate(template, (k) => (k in vars ? String(vars[k]) : undefined));
}

/** A catalog's lookup: the text of `key` in a language, its placeholders filled (`fill`). */
export const catalogLookup =
  <K extends string>(texts: Record<K, Text>) =>
  (lang: Lang, key: K, vars: Record<string, string | number> = {}): string =>
    fill(texts[key][lang], vars);
