/**
 * Encapsulation overhead of a tunnel packet on the underlay, in bytes (pure).
 * WireGuard: IP (20 / 40) + UDP 8 + its header and tag 32 → 60 over IPv4, 80 over IPv6.
 * OpenVPN: IP + UDP 8 (or TCP 20 + 2-byte length) + data-channel header: AEAD ciphers (GCM,
 * ChaCha20-Poly1305) opcode/peer-id 4 + packet id 4 + tag 16; CBC ciphers opcode/peer-id 4 +
 * HMAC (SHA1 20, SHA256 32, SHA512 64) + IV (block) + packet id 4 + up to one block of padding;
 * +1 with compression framing, +14 for a tap device's Ethernet header.
 */
import type { TunnelState } from '../model/tunnel.js';

const HMAC: Record<string, number> = { SHA1: 20, SHA224: 28, SHA256: 32, SHA384: 48, SHA512: 64, MD5: 16, NONE: 0 };

export interface Overhead {
  bytes: number;
  why: string;
}

export function encapOverhead(t: Pick<TunnelState, 'kind' | 'openvpn'>, underlayFamily: 4 | 6): Overhead | null {
  const ip = underlayFamily === 4 ? 20 : 40;
  const fam = `IPv${underlayFamily}`;
  if (t.kind === 'wireguard') return { bytes: ip + 8 + 32, why: `WireGuard over ${fam}: ${ip} IP + 8 UDP + 32 WireGuard header and tag` };
  if (t.kind !== 'openvpn' || !t.openvpn) return null;
  const o = t.openvpn;
  const proto = (o.activeRemote ?? o.remotes[0])?.proto ?? 'udp';
  const transport = proto === 'udp' ? 8 : 22;
  const cipher = (o.cipher ?? 'AES-256-GCM').toUpperCase();
  let data: number;
  let dataWhy: string;
  if (/GCM|CHACHA20-POLY1305/.test(cipher)) {
    data = 24;
    dataWhy = `${cipher}: 4 opcode/peer-id + 4 packet id + 16 tag`;
  } else {
    const block = /^BF|DES|CAST|IDEA/.test(cipher) ? 8 : 16;
    const hmac = HMAC[(o.auth ?? 'SHA1').toUpperCase().replace(/-/g, '')] ?? 20;
    data = 4 + hmac + block + 4 + block;
    dataWhy = `${cipher}/${o.auth ?? 'SHA1'}: 4 opcode/peer-id + ${hmac} HMAC + ${block} IV + 4 packet id + up to ${block} padding`;
  }
  const comp = o.compress ? 1 : 0;
  const tap = o.devType === 'tap' ? 14 : 0;
  const bytes = ip + transport + data + comp + tap;
  const parts = [`${ip} IP`, proto === 'udp' ? '8 UDP' : '20 TCP + 2 length', dataWhy, ...(comp ? ['1 compression'] : []), ...(tap ? ['14 Ethernet (tap)'] : [])];
  return { bytes, why: `OpenVPN over ${proto.toUpperCase()}/${fam}: ${parts.join(' + ')}` };
}
