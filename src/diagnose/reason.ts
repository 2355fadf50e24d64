/**
 * A layer row's reason, made where the engine decides it: its text in the report's language and,
 * when a catalog template made it, that template's id with the parameters it was filled with (the
 * JSON report's `reasonMessage`). A reason told without a template (a probe's or a library's own
 * words) has text only.
 */
import type { Lang } from '../model/layer.js';
import type { Message } from '../model/message.js';
import { t } from '../report/i18n.js';
import type { MessageKey } from '../report/messages.js';

export interface RowReason {
  text: string;
  message?: Message;
}

/** A reason from a catalog template. */
export const reasonOf = (lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): RowReason => ({ text: t(lang, key, params), message: { id: key, params } });

/** A reason with no template behind it. */
export const plainReason = (text: string): RowReason => ({ text });
