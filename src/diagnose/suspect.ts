/**
 * The engine's small judgements between probes: whether the path deserves a trace, whether a TLS
 * failure calls for a version scan. Pure functions of the observations made so far.
 */
import { echoLossy, ofKind, type Observation, type ObservationData } from '../model/observation.js';
import { JITTER_THRESHOLD_MS, RTT_THRESHOLD_MS } from '../rules/net-008-high-latency.js';

type Obs = Observation[];

/** Route outcomes after which nothing above the network layer is probed. */
export const HARD_ROUTE_FAIL = new Set(['no-route', 'blackhole', 'unreachable', 'prohibit']);

/** A connect that took this long had its SYN (or SYN-ACK) retransmitted: the kernel's first RTO is 1 s. */
export const SYN_RETRY_MS = 900;

/** A local firewall verdict (the evaluator's, or a rule whose counter grew) already explains a failure. */
export const localBlock = (obs: Obs): boolean => ofKind(obs, 'firewall.verdict').some((v) => v.data.verdict === 'DROP' || v.data.verdict === 'REJECT');

/**
 * Whether the path deserves a trace and why: no answer at all ('dead'), signs of loss ('loss':
 * lost echoes, a retransmitted SYN) or high RTT ('slow'); null when not, or when a local firewall
 * verdict already explains the failure.
 */
export function pathSuspect(addr: string, obs: Obs): 'dead' | 'loss' | 'slow' | null {
  if (localBlock(obs)) return null;
  const tcp = ofKind(obs, 'tcp.connect').filter((t) => t.data.address === addr);
  const echo = ofKind(obs, 'icmp.echo').find((e) => e.data.address === addr);
  const tcpAnswered = tcp.some((t) => t.data.outcome === 'open' || t.data.outcome === 'refused' || t.data.outcome === 'rejected');
  const echoDead = !!echo && echo.data.method !== 'unavailable' && echo.data.sent > 0 && echo.data.received === 0 && echo.data.errors.length === 0;
  // High RTT or jitter: the trace shows at which hop it rises (NET-008).
  if (echo?.data.rtt && (echo.data.rtt.avg > RTT_THRESHOLD_MS || echo.data.rtt.stddev > JITTER_THRESHOLD_MS)) return 'slow';
  // Some echoes lost: whether the connect got through or not, the trace says where loss starts (NET-007).
  if (echoLossy(obs, addr)) return 'loss';
  if (tcp.length > 0) {
    if (!tcpAnswered) return echoDead || !echo || echo.data.method === 'unavailable' ? 'dead' : null;
    // A connect that needed a SYN retransmission (the first RTO is 1 s) on a path whose echoes are fast.
    const rtt = echo?.data.rtt?.avg ?? 0;
    return tcp.some((t) => t.data.outcome === 'open' && t.data.ms >= SYN_RETRY_MS && t.data.ms > rtt * 4) ? 'loss' : null;
  }
  return echoDead ? 'dead' : null;
}

/**
 * Whether a TLS handshake took so much longer than the connect that segments must have been
 * retransmitted: a few RTTs of handshake plus the server's signing, against at least one RTO.
 * (A stall is the PMTU search's case; the lab's silent server would only pay for a useless trace.)
 */
export function handshakeSuspect(hs: ObservationData['tls.handshake'], connectMs: number): boolean {
  return hs.outcome !== 'stall' && hs.ms >= 600 && hs.ms > connectMs * 10;
}

/** Whether a failed handshake is worth a version scan (the server may speak other versions or ciphers). */
export function isVersionFailure(d: ObservationData['tls.handshake']): boolean {
  const s = `${d.alert ?? ''} ${d.errorCode ?? ''}`.toLowerCase();
  if (/protocol_version|unsupported_protocol|no_protocols_available|version_too_low|wrong_ssl_version|tlsv1_alert_protocol|no_shared_cipher|no_cipher|legacy_sigalg/.test(s)) return true;
  // A handshake_failure before any certificate, or a reset/close right after the ClientHello,
  // is how many servers answer a version or cipher they do not speak: scan the versions.
  if (/handshake_failure/.test(s) && d.chain.length === 0) return true;
  return d.outcome === 'reset' || d.outcome === 'closed';
}
