/**
 * Errors a user can cause are values with a stable code and a message a person can act on.
 * The CLI prints `netdx: <message>` on one line and exits with `exitCode`; stack traces are for bugs.
 */
import { isMsg, renderMsg, type Msg } from './message.js';

export type NetdxErrorCode =
  | 'E_USAGE' // bad option / bad target
  | 'E_INPUT' // a file that is not what it claims
  | 'E_READ' // a file that cannot be read
  | 'E_PRIVILEGE' // needs root and cannot work around it
  | 'E_TOOL'; // a required tool is missing / failed

export const EXIT = { ok: 0, degraded: 1, fault: 2, cannot: 3, usage: 64 } as const;

export class NetdxError extends Error {
  readonly code: NetdxErrorCode;
  readonly exitCode: number;
  /** The message behind `message` (its English text), so the CLI can print it in --lang. */
  readonly msg: Msg | undefined;
  constructor(code: NetdxErrorCode, message: string | Msg, options?: { cause?: unknown }) {
    super(isMsg(message) ? renderMsg(message, 'en') : message, options);
    this.msg = isMsg(message) ? message : undefined;
    this.name = 'NetdxError';
    this.code = code;
    this.exitCode = code === 'E_USAGE' || code === 'E_INPUT' ? EXIT.usage : EXIT.cannot;
  }
}

export const usageError = (message: string | Msg): NetdxError => new NetdxError('E_USAGE', message);
export const inputError = (message: string | Msg): NetdxError => new NetdxError('E_INPUT', message);
export const readError = (message: string | Msg, cause?: unknown): NetdxError => new NetdxError('E_READ', message, { cause });

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
