/** Small pure helpers shared by the rules (address comparison, text for evidence). */
import ipaddr from 'ipaddr.js';
import type { Lang } from '../model/layer.js';

/** Canonical text of an IP address (IPv6 compressed, IPv4-mapped unwrapped); the input when it is not an address. */
export function canonicalIp(text: string): string {
  try {
    const a = ipaddr.process(text);
    return a.toString();
  } catch {
    return text;
  }
}

export const sameIp = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && canonicalIp(a) === canonicalIp(b);

export const familyOf = (address: string): 4 | 6 => (canonicalIp(address).includes(':') ? 6 : 4);

/** A proxy URL without its user:password part (evidence must not leak credentials). */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

/** Picks the text of the context language. */
export const tr = (lang: Lang, en: string, zh: string): string => (lang === 'zh' ? zh : en);

/** Escapes a string for a sed basic regular expression between slashes. */
export const sedEscape = (s: string): string => s.replace(/[.[\]*^$\\/]/g, '\\$&');

/** Seconds with at most one decimal ('3', '3.5'). */
export const secs = (ms: number): string => String(Math.round(ms / 100) / 10);
