/**
 * Small readers for untrusted JSON (ip -j …, nft -j): each either returns the typed value
 * or throws a ParseError that names the input and what was expected there.
 */
import { ParseError } from '../../model/errors.js';

export type JsonObject = Record<string, unknown>;

/** JSON.parse with a ParseError naming the input instead of a SyntaxError. */
export function parseJson(input: string, text: string): unknown {
  if (typeof text !== 'string') throw new ParseError(input, 'expected text');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ParseError(input, `not valid JSON (${err instanceof Error ? err.message.slice(0, 80) : 'syntax error'})`);
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(input: string, v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ParseError(input, `expected ${what} to be a JSON array`);
  return v;
}

export function asObject(input: string, v: unknown, what: string): JsonObject {
  if (!isObject(v)) throw new ParseError(input, `expected ${what} to be a JSON object`);
  return v;
}

/** A reader bound to one object and a description of where it is, for error messages. */
export class Fields {
  constructor(
    readonly input: string,
    readonly obj: JsonObject,
    readonly where: string,
  ) {}

  private fail(key: string, expected: string): never {
    throw new ParseError(this.input, `${this.where}: expected "${key}" to be ${expected}`);
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.obj, key);
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  optStr(key: string): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  /** A string, or a number printed as a string (ip prints some ids either way). */
  optStrOrNum(key: string): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') this.fail(key, 'a string or a number');
    return v;
  }

  num(key: string): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a number');
    return v;
  }

  optNum(key: string): number | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a number');
    return v;
  }

  /** ip prints boolean flags as `"key": null` (present) or `"key": true`. */
  flag(key: string): boolean {
    if (!this.has(key)) return false;
    const v = this.obj[key];
    if (v === null || v === true) return true;
    if (v === false) return false;
    this.fail(key, 'a flag (null or a boolean)');
  }

  strArray(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) this.fail(key, 'an array of strings');
    return v;
  }

  array(key: string): unknown[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, 'an array');
    return v;
  }

  optObject(key: string): JsonObject | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (!isObject(v)) this.fail(key, 'an object');
    return v;
  }
}
