/**
 * A minimal DER reader for the few structures netdx reads from servers itself: X.501 names in a
 * CertificateRequest, and the OCSP response a server staples. Untrusted input: every read is
 * bounds-checked and throws DerError (never reads past the buffer, never loops without progress);
 * lengths over 16 MiB and nesting deeper than 32 are refused.
 */

export class DerError extends Error {
  override name = 'DerError';
}

export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number ≤ 30). */
  tag: number;
  /** The content octets. */
  value: Buffer;
  /** Offset just after this element in the buffer it was read from. */
  end: number;
}

/** Reads one element at `offset`. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  if (offset + 2 > buf.length) throw new DerError(`truncated element at ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag numbers are not used here (at ${offset})`);
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) throw new DerError(`length of ${n} octets at ${offset}`);
    if (p + n > buf.length) throw new DerError(`truncated length at ${offset}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > buf.length) throw new DerError(`element at ${offset} claims ${len} bytes, ${buf.length - p} left`);
  return { tag, value: buf.subarray(p, p + len), end: p + len };
}

/** Every element inside a constructed value, in order. */
export function children(value: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let p = 0;
  while (p < value.length) {
    const t = readTlv(value, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** Reads an element and checks its tag. */
export function expect(buf: Buffer, tag: number, what: string, offset = 0): Tlv {
  const t = readTlv(buf, offset);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** Dotted OID text of an OBJECT IDENTIFIER's content. */
export function oidText(v: Buffer): string {
  if (v.length === 0) throw new DerError('empty OID');
  const parts: number[] = [Math.floor(v[0]! / 40), v[0]! % 40];
  let n = 0;
  for (let i = 1; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if (!(v[i]! & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

const NAME_OIDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Text of a string-like value (UTF8String, PrintableString, IA5String, T61String, BMPString). */
function stringValue(t: Tlv): string {
  if (t.tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < t.value.length; i += 2) s += String.fromCharCode((t.value[i]! << 8) | t.value[i + 1]!);
    return s;
  }
  return t.value.toString(t.tag === 0x0c ? 'utf8' : 'latin1');
}

/** An X.501 Name (DER) as 'CN=Lab Root CA, O=netdx lab' (RDNs in the order they appear). */
export function nameText(der: Buffer): string {
  const seq = expect(der, 0x30, 'Name');
  const out: string[] = [];
  for (const set of children(seq.value)) {
    if (set.tag !== 0x31) throw new DerError('Name: expected a SET of attributes');
    for (const atv of children(set.value)) {
      const [oid, val] = children(atv.value);
      if (!oid || oid.tag !== 0x06 || !val) throw new DerError('Name: bad attribute');
      const id = oidText(oid.value);
      out.push(`${NAME_OIDS[id] ?? id}=${[...stringValue(val)].map((c) => (c < ' ' || c === '\x7f' ? '.' : c)).join('')}`);
    }
  }
  return out.join(', ');
}
