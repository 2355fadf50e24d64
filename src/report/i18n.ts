/** Language selection and the message catalogs (en, zh). Every user-facing string goes through `t`. */
import { envLang, type Lang } from '../model/layer.js';
import { catalogLookup } from '../model/fault.js';
import { MESSAGES, type MessageKey } from './messages.js';

/** The language from --lang, else LC_ALL / LC_MESSAGES / LANG (zh* → zh), else en. */
export function detectLang(explicit?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  if (explicit) return explicit === 'zh' ? 'zh' : 'en';
  return envLang(env);
}

export const t = catalogLookup(MESSAGES);

export type { MessageKey };
