/** Language selection and the message catalogs (en, zh). Every user-facing string goes through `t`. */
import type { Lang } from '../model/layer.js';
import { fillText, msg, type Msg, type MsgParam } from '../model/message.js';
import { MESSAGES, type MessageKey } from './messages.js';

/** The language from --lang, else LC_ALL / LC_MESSAGES / LANG (zh* → zh), else en. */
export function detectLang(explicit?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  if (explicit) return explicit === 'zh' ? 'zh' : 'en';
  const v = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(v) ? 'zh' : 'en';
}

export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return fillText(MESSAGES[key][lang], (k) => (k in vars ? String(vars[k]) : undefined));
}

/** The catalog message `key` with its parameters, to be rendered later in the reader's language. */
export const m = (key: MessageKey, params?: Record<string, MsgParam>): Msg => msg(key, params);

export type { MessageKey };
