/**
 * The kernel's count of ICMP destination-unreachable messages received, per network namespace
 * (/proc/net/snmp Icmp InDestUnreachs, /proc/net/snmp6 Icmp6InDestUnreachs). The TCP probe's
 * fallback reads it around a refused connect: the socket API reports a RST and an ICMP
 * port-unreachable alike (ECONNREFUSED); a counter that moved says an ICMP error came.
 */
import { readFile } from 'node:fs/promises';

/** InDestUnreachs from /proc/net/snmp text, or null. Pure. */
export function parseSnmpDestUnreach(text: string): number | null {
  const [head, vals] = text.split('\n').filter((l) => l.startsWith('Icmp:'));
  if (!head || !vals) return null;
  const i = head.trim().split(/\s+/).indexOf('InDestUnreachs');
  if (i < 1) return null;
  const v = Number(vals.trim().split(/\s+/)[i]);
  return Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** Icmp6InDestUnreachs from /proc/net/snmp6 text, or null. Pure. */
export function parseSnmp6DestUnreach(text: string): number | null {
  const m = /^Icmp6InDestUnreachs\s+(\d+)\s*$/m.exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  return Number.isSafeInteger(v) ? v : null;
}

/** The live counter for one family, or null when unreadable. */
export async function destUnreachCount(family: 4 | 6): Promise<number | null> {
  try {
    return family === 4 ? parseSnmpDestUnreach(await readFile('/proc/net/snmp', 'utf8')) : parseSnmp6DestUnreach(await readFile('/proc/net/snmp6', 'utf8'));
  } catch {
    return null;
  }
}
