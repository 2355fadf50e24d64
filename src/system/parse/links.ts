/**
 * `ip -j addr` (optionally `-d`) and `ip -j -d link` → Link[]: admin state from the UP flag,
 * carrier from LOWER_UP, kind from linkinfo.info_kind ('loopback' for lo).
 */
import { ParseError } from '../../model/errors.js';
import type { Address, Link } from '../../model/snapshot.js';
import { asArray, asObject, Fields, isObject, parseJson, type JsonObject } from './json.js';
import { ipFamily } from '../../model/prefix.js';

function parseAddress(input: string, raw: unknown, where: string): Address | null {
  const f = new Fields(input, asObject(input, raw, where), where);
  const fam = f.optStr('family');
  // `ip -4 -j addr` prints `{}` for the other family's entries; nothing to read there.
  if (fam === null && !f.has('local')) return null;
  if (fam !== 'inet' && fam !== 'inet6') {
    if (fam === null) throw new ParseError(input, `${where}: expected "family" to be a string`);
    return null; // other families (e.g. 'mpls') carry no IP address
  }
  const family = fam === 'inet' ? 4 : 6;
  const address = f.str('local');
  if (ipFamily(address) !== family) throw new ParseError(input, `${where}: expected "local" to be an IPv${family} address, got "${address.slice(0, 60)}"`);
  const prefixlen = f.num('prefixlen');
  if (!Number.isInteger(prefixlen) || prefixlen < 0 || prefixlen > (family === 4 ? 32 : 128)) throw new ParseError(input, `${where}: expected "prefixlen" to be a prefix length, got ${prefixlen}`);
  const out: Address = { family, address, prefixlen, scope: f.optStrOrNum('scope') ?? 'global' };
  if (f.flag('dynamic')) out.dynamic = true;
  const peer = f.optStr('address');
  if (peer !== null && ipFamily(peer) === family) out.peer = peer;
  return out;
}

function kindOf(f: Fields, loopback: boolean): string | null {
  const info = f.optObject('linkinfo');
  const kind = info && typeof info['info_kind'] === 'string' ? info['info_kind'] : null;
  return kind ?? (loopback ? 'loopback' : null);
}

function parseLink(input: string, raw: unknown, i: number, details: JsonObject | undefined): Link {
  const where = `link #${i}`;
  const f = new Fields(input, asObject(input, raw, where), where);
  const name = f.str('ifname');
  const index = f.num('ifindex');
  const flags = f.strArray('flags');
  const up = flags.includes('UP');
  const d = details ? new Fields(input, details, `${where} details`) : null;
  const loopback = flags.includes('LOOPBACK') || f.optStr('link_type') === 'loopback';
  const mac = f.optStr('address');
  const addresses = f
    .array('addr_info')
    .map((a, j) => parseAddress(input, a, `${where} (${name}) addr_info #${j}`))
    .filter((a): a is Address => a !== null);
  return {
    name,
    index,
    up,
    // LOWER_UP is only meaningful on an administratively up link (the kernel prints NO-CARRIER then).
    carrier: flags.includes('LOWER_UP') ? true : up ? false : null,
    operstate: f.optStr('operstate') ?? 'UNKNOWN',
    mtu: f.optNum('mtu'),
    kind: kindOf(f, loopback) ?? (d ? kindOf(d, loopback) : null),
    loopback,
    mac: mac !== null && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(mac) ? mac : null,
    master: f.optStr('master') ?? d?.optStr('master') ?? null,
    addresses,
  };
}

/**
 * Merges `ip -j addr` with the details of `ip -j -d link` (linkinfo, master) by ifindex.
 * `ip -j -d addr` alone carries both and may be passed without `linkJson`.
 */
export function parseLinks(addrJson: string, linkJson?: string): Link[] {
  const input = 'ip -j addr';
  const list = asArray(input, parseJson(input, addrJson), 'the output');
  const details = new Map<number, JsonObject>();
  if (linkJson !== undefined) {
    const li = 'ip -j -d link';
    for (const [i, raw] of asArray(li, parseJson(li, linkJson), 'the output').entries()) {
      const o = asObject(li, raw, `link #${i}`);
      const idx = o['ifindex'];
      if (typeof idx === 'number') details.set(idx, o);
    }
  }
  return list.map((raw, i) => {
    const idx = isObject(raw) ? raw['ifindex'] : undefined;
    return parseLink(input, raw, i, typeof idx === 'number' ? details.get(idx) : undefined);
  });
}
