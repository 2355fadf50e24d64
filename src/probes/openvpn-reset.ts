/**
 * Does an OpenVPN server listen on a UDP endpoint? A well-formed P_CONTROL_HARD_RESET_CLIENT_V2
 * (opcode 7, key id 0, a random session id, no acks, packet id 0) makes a server without
 * tls-auth/tls-crypt answer with P_CONTROL_HARD_RESET_SERVER_V2 (opcode 8) acknowledging our
 * packet; OpenVPN 2.6 answers statelessly and does not retransmit. A port unreachable comes back
 * as ECONNREFUSED on the connected socket. Nothing else is sent.
 */
import { createSocket } from 'node:dgram';
import { nodeCrypto } from '../model/builtin.js';
import { performance } from 'node:perf_hooks';
import type { ProbeContext } from './types.js';

export interface OpenVpnResetResult {
  outcome: 'answered' | 'no-answer' | 'refused' | 'unreachable' | 'error';
  ms: number;
  reason?: string;
}

const P_CONTROL_HARD_RESET_CLIENT_V2 = 7;
const P_CONTROL_HARD_RESET_SERVER_V2 = 8;

export function hardResetPacket(session: Buffer): Buffer {
  if (session.length !== 8) throw new Error('session id: 8 bytes');
  return Buffer.concat([Buffer.from([P_CONTROL_HARD_RESET_CLIENT_V2 << 3]), session, Buffer.from([0]), Buffer.alloc(4)]);
}

/** Whether a datagram is the server's hard reset acknowledging our session. */
export function isServerReset(msg: Buffer, session: Buffer): boolean {
  if (msg.length < 14 || msg[0]! >> 3 !== P_CONTROL_HARD_RESET_SERVER_V2) return false;
  // opcode(1) server-session(8) ack-count(1) [ack packet ids (4 each)] remote-session(8)
  const acks = msg[9]!;
  if (acks === 0) return true; // an older server: no ack, still a reset answer
  const off = 10 + 4 * acks;
  return msg.length >= off + 8 && msg.subarray(off, off + 8).equals(session);
}

export function openvpnReset(q: { address: string; port: number }, ctx: ProbeContext): Promise<OpenVpnResetResult> {
  const t0 = performance.now();
  const session = nodeCrypto().randomBytes(8);
  const sock = createSocket(q.address.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<OpenVpnResetResult, 'ms'>): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      try {
        sock.close();
      } catch {
        /* closed */
      }
      resolve({ ...r, ms: Math.round((performance.now() - t0) * 10) / 10 });
    };
    const onAbort = (): void => finish({ outcome: 'no-answer' });
    if (ctx.signal.aborted) return finish({ outcome: 'no-answer' });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('message', (msg) => {
      if (isServerReset(msg, session)) finish({ outcome: 'answered' });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish({ outcome: 'refused', reason: 'ICMP port unreachable' });
      else if (err.code === 'ENETUNREACH' || err.code === 'EHOSTUNREACH') finish({ outcome: 'unreachable', reason: err.code });
      else finish({ outcome: 'error', reason: err.code ?? err.message });
    });
    sock.connect(q.port, q.address, () => {
      sock.send(hardResetPacket(session), (err) => {
        if (err) sock.emit('error', err);
      });
    });
  });
}
