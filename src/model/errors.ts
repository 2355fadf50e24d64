/**
 * Errors a user can cause are values with a stable code and a message a person can act on.
 * The CLI prints `netdx: <message>` on one line and exits with `exitCode`; stack traces are for bugs.
 */
import type { Lang } from './layer.js';

export type NetdxErrorCode =
  | 'E_USAGE' // bad option / bad target
  | 'E_INPUT' // a file that is not what it claims
  | 'E_READ' // a file that cannot be read
  | 'E_PRIVILEGE' // needs root and cannot work around it
  | 'E_TOOL'; // a required tool is missing / failed

/** An error's message, one line in each language (the CLI prints the one of --lang / LANG): an error without its Chinese does not compile. */
export type ErrorText = { en: string; zh: string };

/** An error text told in each language by the same function (a catalog lookup with the same parameters). */
export const inBoth = (say: (lang: Lang) => string): ErrorText => ({ en: say('en'), zh: say('zh') });

export const EXIT = { ok: 0, degraded: 1, fault: 2, cannot: 3, usage: 64 } as const;

/** Marks a NetdxError whatever copy of this module made it (the bundle and dist/ each have one: `netdx lab` runs from dist/). */
const BRAND = Symbol.for('netdx.NetdxError');

export class NetdxError extends Error {
  /** `instanceof` by brand, not by prototype: an error thrown by the unbundled lab is still a user's error to the bundled CLI. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as { [BRAND]?: unknown })[BRAND] === true;
  }
  readonly [BRAND] = true;
  readonly code: NetdxErrorCode;
  readonly exitCode: number;
  /** The message in Chinese (`message` is the English). */
  readonly zh: string;
  constructor(code: NetdxErrorCode, message: ErrorText, options?: { cause?: unknown }) {
    super(message.en, options);
    this.name = 'NetdxError';
    this.code = code;
    this.exitCode = code === 'E_USAGE' || code === 'E_INPUT' ? EXIT.usage : EXIT.cannot;
    this.zh = message.zh;
  }

  /** The message in a language. */
  text(lang: Lang): string {
    return lang === 'zh' ? this.zh : this.message;
  }
}

/** What an error says in a language: a NetdxError in that language, anything else its own message. */
export const errorText = (err: unknown, lang: Lang): string => (err instanceof NetdxError ? err.text(lang) : err instanceof Error ? err.message : String(err));

export const usageError = (message: ErrorText): NetdxError => new NetdxError('E_USAGE', message);
export const inputError = (message: ErrorText): NetdxError => new NetdxError('E_INPUT', message);
export const readError = (message: ErrorText, cause?: unknown): NetdxError => new NetdxError('E_READ', message, { cause });

/** A parse failure of untrusted text: where it happened and what was expected. */
export class ParseError extends Error {
  readonly input: string;
  readonly line: number | undefined;
  constructor(input: string, message: string, line?: number) {
    super(line === undefined ? `${input}: ${message}` : `${input}:${line}: ${message}`);
    this.name = 'ParseError';
    this.input = input;
    this.line = line;
  }
}
