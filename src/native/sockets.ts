/**
 * Raw send sockets, shared by the probes in flight and closed when the last one is done, and the
 * source address the kernel would use towards a destination (needed for UDP/TCP checksums).
 */
import type { RawAddon } from './addon.js';

export type SendProto = 'icmp' | 'udp' | 'tcp';

interface Pooled {
  fd: number;
  users: number;
}

const pool = new Map<string, Pooled>();

const ICMP_FILTER = 1;
const SOL_RAW = 255;
/** SO_MARK (Linux): the firewall mark of a socket's packets; routing rules and firewalls match on it (needs CAP_NET_ADMIN). */
const SO_MARK = 36;

/** Sets the socket's firewall mark (0: none). */
function setMark(addon: RawAddon, fd: number, mark: number): void {
  if (mark) addon.setsockopt(fd, addon.constants.SOL_SOCKET!, SO_MARK, mark | 0);
}

/**
 * A raw socket for sending probes of `proto` (with firewall mark `mark`: a WireGuard fwmark makes
 * probes to the endpoint take the underlay route); call the returned release() when done.
 */
export function acquireSendSocket(addon: RawAddon, family: 4 | 6, proto: SendProto, mark = 0): { fd: number; release: () => void } {
  const key = `${family}/${proto}/${mark}`;
  let p = pool.get(key);
  if (!p) {
    const c = addon.constants;
    const ipproto = proto === 'tcp' ? c.IPPROTO_TCP! : proto === 'udp' ? c.IPPROTO_UDP! : family === 4 ? c.IPPROTO_ICMP! : c.IPPROTO_ICMPV6!;
    const fd = addon.socket(family === 4 ? c.AF_INET! : c.AF_INET6!, c.SOCK_RAW!, ipproto);
    try {
      // A send-only socket: keep what it receives (raw sockets get a copy of every packet of
      // their protocol) as small as the kernel allows; ICMPv4 can be filtered entirely.
      addon.setsockopt(fd, c.SOL_SOCKET!, c.SO_RCVBUF!, 1);
      if (family === 4 && proto === 'icmp') addon.setsockopt(fd, SOL_RAW, ICMP_FILTER, -1);
      setMark(addon, fd, mark);
    } catch (err) {
      addon.close(fd);
      throw err;
    }
    p = { fd, users: 0 };
    pool.set(key, p);
  }
  p.users++;
  const held = p;
  let released = false;
  return {
    fd: held.fd,
    release: () => {
      if (released) return;
      released = true;
      held.users--;
      if (held.users === 0 && pool.get(key) === held) {
        pool.delete(key);
        addon.close(held.fd);
      }
    },
  };
}

export const familyOf = (addr: string): 4 | 6 => (addr.includes(':') ? 6 : 4);

/** The local address the kernel picks for `dst` (a connected UDP socket sends nothing), or null when there is no route. */
export function routeSource(addon: RawAddon, dst: string, mark = 0): string | null {
  const c = addon.constants;
  const fam = familyOf(dst);
  const fd = addon.socket(fam === 4 ? c.AF_INET! : c.AF_INET6!, c.SOCK_DGRAM!, c.IPPROTO_UDP!);
  try {
    setMark(addon, fd, mark);
    if (addon.connect(fd, dst, 9) !== '') return null;
    return addon.sockname(fd).address;
  } finally {
    addon.close(fd);
  }
}

/** Probe identifiers unique within this process (ICMP idents, ports, sequence numbers). */
let counter = Math.floor(Math.random() * 0xffff);
export function nextId16(): number {
  counter = (counter + 1) & 0xffff;
  return counter === 0 ? nextId16() : counter;
}
