/** Small pure helpers of the transport (TCP) rules. */
import type { Snapshot } from '../model/snapshot.js';
import { canonicalIp, sameIp } from './helpers.js';

/** 'a.b.c.d:port' or '[v6]:port'. */
export { formatHostPort as hostPort } from '../model/target.js';

/** Whether `address` is this machine: a loopback address, or one of the snapshot's interface addresses. */
export function isThisMachine(snap: Snapshot, address: string): boolean {
  if (/^127\./.test(canonicalIp(address)) || sameIp(address, '::1')) return true;
  if (!snap.links.ok) return false;
  return snap.links.value.some((l) => l.addresses.some((a) => sameIp(a.address, address)));
}
