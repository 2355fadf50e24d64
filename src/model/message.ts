/**
 * Messages are data; renderers speak (docs/decisions/030-messages-are-data.md).
 *
 * A user-facing sentence is a `Msg`: a catalog id and its parameters (numbers, addresses, names,
 * nested messages). The catalog holds each id's text in every language; `renderMsg` fills it in
 * the reader's language. Rules, the engine and the commands build Msgs; the report keeps the id,
 * the parameters and the English text, and the text/markdown renderers print the chosen language.
 *
 * Modules declare their texts with `defineMessages(namespace, { key: { en, zh } })` at load time;
 * a rule declares them in its meta (`messages`), registered by `ruleMessages(meta)`.
 */
import type { Lang, Text } from './layer.js';

/** A parameter: data (string, number), a nested message, or a list of these. */
export type MsgParam = string | number | Msg | Array<string | number | Msg>;

export interface Msg {
  id: string;
  params?: Record<string, MsgParam>;
}

const CATALOG = new Map<string, Text>();

/** Registers texts under `namespace.key` (or `key` when the namespace is empty). Re-registering the same text is a no-op. */
export function registerTexts(namespace: string, texts: Readonly<Record<string, Text>>): void {
  for (const [k, v] of Object.entries(texts)) CATALOG.set(namespace ? `${namespace}.${k}` : k, v);
}

/**
 * Declares a module's messages and returns a builder: `const M = defineMessages('trace', {...})`,
 * then `M('heading', { target })` is `{ id: 'trace.heading', params: { target } }`.
 */
export function defineMessages<K extends string>(namespace: string, texts: Readonly<Record<K, Text>>): (key: K, params?: Record<string, MsgParam>) => Msg {
  registerTexts(namespace, texts);
  return (key, params) => msg(namespace ? `${namespace}.${key}` : key, params);
}

export function msg(id: string, params?: Record<string, MsgParam>): Msg {
  return params && Object.keys(params).length > 0 ? { id, params } : { id };
}

export const isMsg = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Msg).id === 'string';

/** The texts of an id, or undefined when no module registered it. */
export const messageText = (id: string): Text | undefined => CATALOG.get(id);

/** Every registered id with its texts (for the catalog tests). */
export const allMessages = (): ReadonlyMap<string, Text> => CATALOG;

registerTexts('list', { semi: { en: '{head}; {rest}', zh: '{head}；{rest}' } });

/** Items joined with '; ' (zh '；'); a plain array param joins with ', ' (zh '、'). */
export function semicolonList(items: ReadonlyArray<string | number | Msg>): MsgParam {
  if (items.length <= 1) return items[0] ?? '';
  return msg('list.semi', { head: items[0]!, rest: semicolonList(items.slice(1)) });
}

export class MessageError extends Error {}

const LIST_SEP: Record<Lang, string> = { en: ', ', zh: '、' };

/** Fills {name} placeholders; unknown names stay visible so a test can catch them. */
export function fillText(template: string, render: (name: string) => string | undefined): string {
  return template.replace(/\{([a-zA-Z0-9_]+)\}/g, (m, k: string) => render(k) ?? m);
}

/** Rendering options: `strict` throws on a missing id, text or parameter; `mask` replaces data (string params) by a marker (the prose tests check only the words of the catalog). */
export interface RenderOptions {
  strict?: boolean;
  mask?: string;
}

export function renderParam(p: MsgParam, lang: Lang, strict: boolean | RenderOptions = false): string {
  const o = typeof strict === 'object' ? strict : { strict };
  if (typeof p === 'string') return o.mask ?? p;
  if (typeof p === 'number') return String(p);
  if (Array.isArray(p)) return p.map((x) => renderParam(x, lang, o)).join(LIST_SEP[lang]);
  return renderMsg(p, lang, o);
}

/**
 * The message in `lang`. An id nobody registered renders as the id itself (strict: throws), so a
 * missing text is visible, never silent; a placeholder without a parameter stays `{name}` (strict: throws).
 */
export function renderMsg(m: Msg, lang: Lang, options: boolean | RenderOptions = false): string {
  const o = typeof options === 'object' ? options : { strict: options };
  const strict = !!o.strict;
  const text = CATALOG.get(m.id);
  if (!text) {
    if (strict) throw new MessageError(`message id '${m.id}' is not in the catalog`);
    return m.id;
  }
  const template = text[lang] || text.en;
  if (strict && !text[lang]) throw new MessageError(`message '${m.id}' has no ${lang} text`);
  const params = m.params ?? {};
  return fillText(template, (k) => {
    if (!(k in params)) {
      if (strict) throw new MessageError(`message '${m.id}' (${lang}): no parameter '${k}'`);
      return undefined;
    }
    return renderParam(params[k]!, lang, o);
  });
}

/** A text field's words in `lang`: its message when it has a known one, else the text as stored. */
export function speak(text: string, m: Msg | undefined, lang: Lang): string {
  return m && CATALOG.has(m.id) ? renderMsg(m, lang) : text;
}
