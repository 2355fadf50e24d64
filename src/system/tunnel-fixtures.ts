/** Test helpers for the tunnel collectors: captured outputs (test/fixtures/tunnel) and synthetic dumps. */
import { readFileSync } from 'node:fs';

const DIR = new URL('../../test/fixtures/tunnel/', import.meta.url);

export function tunnelFixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** A deterministic WireGuard public key for peer n (valid base64 of 32 bytes). */
export function fakeKey(n: number): string {
  const b = Buffer.alloc(32);
  b.writeUInt32BE(n >>> 0, 0);
  b.writeUInt32BE(0x5a5a5a5a, 28);
  return b.toString('base64');
}

/** `wg show all dump` of one interface with `peers` peers, each owning 100.64.x.y/32; peer 0 is the hub (100.96.0.0/24). */
export function bigWgDump(dev: string, peers: number, handshake = 1795718651): string {
  const lines = [`${dev}\t${fakeKey(0xffffffff)}\t${fakeKey(0xfffffffe)}\t51820\toff`];
  for (let i = 0; i < peers; i++) {
    const allowed = i === 0 ? '100.96.0.0/24' : `100.64.${Math.floor(i / 250)}.${(i % 250) + 1}/32`;
    lines.push(`${dev}\t${fakeKey(i)}\t(none)\t203.0.113.${(i % 200) + 20}:51820\t${allowed}\t${i % 3 === 0 ? 0 : handshake}\t${i * 10}\t${i * 20}\t${i % 2 === 0 ? 'off' : '25'}`);
  }
  return lines.join('\n') + '\n';
}
