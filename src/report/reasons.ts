/**
 * Reasons and check names in the reader's language. The engine and the probes write why a check
 * could not be made (or was skipped) in English into the observations; a layer row and a "not
 * checked" line show it in the report's language. A reason that is the English text of a
 * `reason.*` template of the catalog (messages.ts) is rendered from that template's zh text — its
 * {why}, {error} and {errors} are reasons again — and a check name from its `check.*` entry. Any
 * other text (a kernel's or a library's own words) is shown as it is, quoted when it reads like
 * prose, so a zh reader sees it is verbatim data.
 */
import type { Lang } from '../model/layer.js';
import { fill } from '../model/fault.js';
import type { Message } from '../model/message.js';
import { MESSAGES, type MessageKey } from './messages.js';

interface Template {
  key: MessageKey;
  re: RegExp;
  names: string[];
  /** Length of the template's own text: a longer one is more specific. */
  literal: number;
}

/** The templates of a prefix as anchored patterns, the most literal text first (the most specific). */
function compile(prefix: string): Template[] {
  return (Object.keys(MESSAGES) as MessageKey[])
    .filter((k) => k.startsWith(prefix))
    .map((key) => {
      const names: string[] = [];
      const src = MESSAGES[key].en
        .split(/(\{[a-zA-Z0-9_]+\})/)
        .map((part) => {
          const m = /^\{([a-zA-Z0-9_]+)\}$/.exec(part);
          if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(m[1]!);
          return '(.+?)';
        })
        .join('');
      return { key, re: new RegExp(`^${src}$`, 's'), names, literal: MESSAGES[key].en.replace(/\{[a-zA-Z0-9_]+\}/g, '').length };
    })
    .sort((a, b) => b.literal - a.literal);
}

/** Compiled on first use: a run that shows no reason pays nothing. */
const lazy = <T>(f: () => T): (() => T) => {
  let v: T | undefined;
  return () => (v ??= f());
};
const REASONS = lazy(() => compile('reason.'));
const CHECKS = lazy(() => compile('check.'));
/** Parameters that are reasons themselves. */
const NESTED = new Set(['why', 'error', 'errors']);

/** Quoted when it reads like prose (two words of lower-case letters), as it is otherwise (a code, an address). */
const verbatim = (s: string): string => ((s.match(/\b[A-Za-z][a-z]{2,}\b/g) ?? []).length >= 2 ? (s.includes('"') ? `「${s}」` : `"${s}"`) : s);

function fromTemplates(templates: readonly Template[], text: string, depth: number): string | null {
  for (const t of templates) {
    const m = t.re.exec(text);
    if (!m) continue;
    const vars = Object.fromEntries(t.names.map((n, i) => [n, NESTED.has(n) && depth < 4 ? reasonZh(m[i + 1]!, depth + 1) : m[i + 1]!]));
    return fill(MESSAGES[t.key].zh, vars);
  }
  return null;
}

const reasonZh = (text: string, depth = 0): string => fromTemplates(REASONS(), text, depth) ?? verbatim(text);

/** A report's reason for a reader: as it is when the report was judged in the reader's language, else through the templates. */
export const reportReason = (judgedIn: Lang | undefined, lang: Lang, reason: string): string => (judgedIn === undefined || judgedIn === lang ? reason : reasonText(lang, reason));

/** A reason (English, as the engine or a probe wrote it) in the reader's language. */
export const reasonText = (lang: Lang, reason: string): string => (lang === 'zh' ? reasonZh(reason) : reason);

/** A check's name in the reader's language (rule codes and names netdx does not know stay as they are). */
export function checkText(lang: Lang, check: string): string {
  if (lang !== 'zh') return check;
  const key = `check.${check}`;
  if (key in MESSAGES) return MESSAGES[key as MessageKey].zh;
  return fromTemplates(CHECKS(), check, 4) ?? check;
}

/** Parameters that name a check. */
const CHECK_PARAMS = new Set(['check']);

/**
 * A layer row's reason for a reader: as it is when the report was judged in the reader's language;
 * else from its message (the template it was made from, its reasons and check names told again),
 * and only without one through the templates' text.
 */
export function rowReason(judgedIn: Lang | undefined, lang: Lang, row: { reason?: string; reasonMessage?: Message }): string {
  const text = row.reason ?? '';
  if (judgedIn === undefined || judgedIn === lang) return text;
  const m = row.reasonMessage;
  if (!m || !(m.id in MESSAGES) || lang !== 'zh') return reasonText(lang, text);
  const vars = Object.fromEntries(
    Object.entries(m.params).map(([k, v]) => {
      const s = Array.isArray(v) ? v.join(', ') : String(v ?? '');
      return [k, NESTED.has(k) ? reasonZh(s) : CHECK_PARAMS.has(k) ? checkText(lang, s) : s];
    }),
  );
  return fill(MESSAGES[m.id as MessageKey].zh, vars);
}
