/**
 * What went wrong with one load attempt, named with the fault catalog's codes, and where the
 * load turned: the first step at which failures start, and the code that dominates there. Pure.
 */
import { percentiles, type Percentiles } from './stats.js';

export type Phase = 'connect' | 'tls' | 'firstByte';

export interface Attempt {
  /** The load step (0-based) the attempt belongs to. */
  step: number;
  connectMs: number | null;
  tlsMs: number | null;
  firstByteMs: number | null;
  totalMs: number;
  status: number | null;
  /** errno / node error code, 'timeout', 'closed', or 'status-NNN'. */
  error: { phase: Phase; code: string } | null;
}

/** The generator's own limits: not the target's fault. */
export const LOCAL = 'LOCAL';

/** A connect that took this long needed at least one SYN retransmission (Linux: 1 s). */
export const SYN_RETRANSMIT_MS = 900;

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'TLS-001',
  CERT_NOT_YET_VALID: 'TLS-002',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS-003',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS-004',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS-004',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS-004',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS-004',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS-005',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS-010',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'TLS-006',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'TLS-006',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS-006',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'TLS-006',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'TLS-007',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'TLS-007',
};

const LOCAL_ERRNO = new Set(['EADDRNOTAVAIL', 'EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRINUSE']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'closed', 'ECONNABORTED']);

/**
 * The fault code of a failed attempt. `connectedElsewhere`: some connects of the same run
 * succeeded, so a connect timeout is a dropped SYN under load (TCP-005), not a filtered port.
 */
export function classify(e: NonNullable<Attempt['error']>, connectedElsewhere: boolean): string {
  const c = e.code;
  if (LOCAL_ERRNO.has(c)) return LOCAL;
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH') return 'NET-010';
  if (e.phase === 'connect') {
    if (c === 'ECONNREFUSED') return 'TCP-001';
    if (c === 'timeout') return connectedElsewhere ? 'TCP-005' : 'TCP-002';
    if (RESET.has(c)) return 'TCP-004';
    return 'TCP-002';
  }
  if (RESET.has(c)) return 'TCP-004';
  if (e.phase === 'tls') return TLS_CODES[c] ?? 'TLS-009';
  return 'APP-002';
}

export interface StepSummary {
  step: number;
  /** The load of the step: connections in flight (closed loop) and offered attempts per second (fixed rate), null when not fixed. */
  connections: number;
  offeredRate: number | null;
  attempts: number;
  ok: number;
  achievedRate: number;
  /** Connects that completed only after a SYN retransmission (dropped SYNs). */
  synRetransmitted: number;
  errors: Record<string, number>;
  latencyMs: { connect: Percentiles; tls: Percentiles; firstByte: Percentiles; total: Percentiles };
}

export function summarizeStep(step: number, level: { connections: number; offeredRate: number | null }, attempts: readonly Attempt[], seconds: number, connectedElsewhere: boolean): StepSummary {
  const errors: Record<string, number> = {};
  let ok = 0;
  let syn = 0;
  for (const a of attempts) {
    if (a.connectMs !== null && a.connectMs >= SYN_RETRANSMIT_MS) syn++;
    if (a.error) {
      const code = classify(a.error, connectedElsewhere);
      errors[code] = (errors[code] ?? 0) + 1;
    } else ok++;
  }
  const pick = (f: (a: Attempt) => number | null): number[] => attempts.map(f).filter((x): x is number => x !== null);
  return {
    step,
    connections: level.connections,
    offeredRate: level.offeredRate,
    attempts: attempts.length,
    ok,
    achievedRate: seconds > 0 ? ok / seconds : 0,
    synRetransmitted: syn,
    errors,
    latencyMs: {
      connect: percentiles(pick((a) => a.connectMs)),
      tls: percentiles(pick((a) => a.tlsMs)),
      firstByte: percentiles(pick((a) => a.firstByteMs)),
      total: percentiles(attempts.filter((a) => !a.error).map((a) => a.totalMs)),
    },
  };
}

export interface TurningPoint {
  step: number;
  connections: number;
  offeredRate: number | null;
  achievedRate: number;
  /** Failed or SYN-retransmitted attempts / attempts of the step. */
  failureFraction: number;
  /** The dominant cause, a fault code (SYN retransmissions count as TCP-005). */
  cause: string;
  counts: Record<string, number>;
}

/** A step turns when at least MIN_FAILURES and MIN_FRACTION of its attempts failed or needed a SYN retransmission. */
export const MIN_FAILURES = 2;
export const MIN_FRACTION = 0.01;

export function turningPoint(steps: readonly StepSummary[]): TurningPoint | null {
  for (const s of steps) {
    const counts: Record<string, number> = {};
    for (const [c, n] of Object.entries(s.errors)) if (c !== LOCAL) counts[c] = n;
    // A connect that came through on a retransmitted SYN is the accept queue's (or SYN-flood protection's) symptom.
    if (s.synRetransmitted > 0) counts['TCP-005'] = (counts['TCP-005'] ?? 0) + s.synRetransmitted;
    const failures = Object.values(counts).reduce((a, b) => a + b, 0);
    if (s.attempts === 0 || failures < MIN_FAILURES || failures < MIN_FRACTION * s.attempts) continue;
    const cause = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    return { step: s.step, connections: s.connections, offeredRate: s.offeredRate, achievedRate: s.achievedRate, failureFraction: failures / s.attempts, cause, counts };
  }
  return null;
}
