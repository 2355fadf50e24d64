/**
 * Messages are data: a finding's title, explanation, evidence and fix summaries are a message id
 * with parameters (numbers, addresses, names), and a renderer turns them into text in the reader's
 * language. The JSON report carries both the id with its parameters and the English text, so a
 * script can key on the id and read the values without parsing prose.
 *
 * A module defines its messages once, with their English and Chinese texts side by side:
 *
 *   const M = defineMessages('TCP-001', {
 *     refused: msg(
 *       (p: { dst: string; ms: number }) => `TCP ${p.dst}: connection refused (RST) after ${p.ms} ms`,
 *       (p) => `TCP ${p.dst}：${p.ms} 毫秒后连接被拒绝（RST）`,
 *     ),
 *   });
 *   evidence('tcp.connect', M.refused({ dst, ms }))   // → { id: 'TCP-001.refused', params: { dst, ms } }
 *
 * The definitions register in one process-wide catalog at module load, so any renderer in the
 * process can render any message by its id (`renderMessage`). A text of a language is a function of
 * the parameters (conditions and lists read naturally) or a `{placeholder}` template. The zh text is
 * required by the type: a message cannot exist in one language only.
 */
import type { Lang } from './layer.js';

/** A parameter value: plain data that survives JSON. A list is joined in the reader's language (", " / "、"). */
export type Param = string | number | boolean | null | string[] | number[];
export type Params = Record<string, Param>;

/** A message: what the JSON report carries beside the English text. */
export interface Message {
  id: string;
  params: Params;
}

type Render<P> = string | ((p: P) => string);

/** The texts of one message in both languages. */
export interface MessageDef<P> {
  en: Render<P>;
  zh: Render<P>;
  /** Type only: the parameters (never set). */
  readonly params?: P;
}

/**
 * One message's texts; the parameter type is taken from the English function and holds for the
 * Chinese one. `msg('fixed text', '固定文本')` for a message without parameters.
 */
export function msg<P extends Params = Params>(en: Render<P>, zh: Render<P>): MessageDef<P> {
  return { en, zh };
}

type Builder<D> = D extends { readonly params?: infer P } ? (Params extends P ? (params?: P) => Message : (params: P) => Message) : never;

const CATALOG = new Map<string, MessageDef<Params>>();

/** Registers a module's messages under `prefix.` and returns one builder per message. Ids are unique across the process. */
export function defineMessages<T extends Record<string, { en: unknown; zh: unknown; readonly params?: unknown }>>(prefix: string, defs: T): { [K in keyof T]: Builder<T[K]> } {
  const out: Record<string, (p?: Params) => Message> = {};
  for (const [key, def] of Object.entries(defs)) {
    const id = `${prefix}.${key}`;
    if (CATALOG.has(id) && CATALOG.get(id) !== (def as unknown)) throw new Error(`message id ${id} is defined twice`);
    CATALOG.set(id, def as unknown as MessageDef<Params>);
    out[key] = (params: Params = {}) => ({ id, params: { ...params } });
  }
  return out as { [K in keyof T]: Builder<T[K]> };
}

/** Registers a message under a full id (idempotent for the same definition); the rule metas use it for their templates. */
export function registerMessage(id: string, def: MessageDef<Params>): void {
  const had = CATALOG.get(id);
  if (had && (had.en !== def.en || had.zh !== def.zh)) throw new Error(`message id ${id} is defined twice`);
  if (!had) CATALOG.set(id, def);
}

const LIST_SEP: Record<Lang, string> = { en: ', ', zh: '、' };

/** A parameter as text: lists joined in the language's way. */
function paramText(v: Param | undefined, lang: Lang): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map(String).join(LIST_SEP[lang]);
  return String(v);
}

/**
 * Fills {name} placeholders with `value(name)`; a name without a value stays visible so that a test
 * can catch it. `{address}:{port}`: an IPv6 address before a port is written in brackets
 * ([2001:db8::1]:443, RFC 3986), whatever the placeholder's name.
 */
export function fillTemplate(template: string, value: (name: string) => string | undefined): string {
  return template.replace(/\{([a-zA-Z0-9_]+)\}(?=(:\{port\})?)/g, (m, k: string, port: string | undefined) => {
    const v = value(k);
    if (v === undefined) return m;
    return port !== undefined && v.includes(':') && !v.startsWith('[') ? `[${v}]` : v;
  });
}

/** Fills {name} placeholders from params (fillTemplate). */
export function fillParams(template: string, params: Params, lang: Lang): string {
  return fillTemplate(template, (k) => (k in params ? paramText(params[k], lang) : undefined));
}

/** The message in a language; null when its id is not in this process's catalog (a report from another version). */
export function renderMessage(m: Message, lang: Lang): string | null {
  const def = CATALOG.get(m.id);
  if (!def) return null;
  const r = def[lang];
  return typeof r === 'string' ? fillParams(r, m.params, lang) : r(m.params);
}

/** The text a reader sees: the message in the language when it is known, else the stored text. */
export const speak = (text: string, m: Message | undefined, lang: Lang): string => (m ? (renderMessage(m, lang) ?? text) : text);
