/**
 * `--filter`: a small subset of BPF (tcpdump) expressions, compiled once into a predicate over the
 * decoded packet (no allocation per packet).
 *
 *   primitives: host ADDR · src host ADDR · dst host ADDR · net CIDR (src/dst net) ·
 *               port N · src port N · dst port N · portrange N-M ·
 *               tcp · udp · icmp · icmp6 · ip · ip6 · arp
 *   operators:  and / && · or / || · not / ! · parentheses
 *   a bare address or number after an operator repeats the previous primitive's kind
 *   ("host 198.51.100.1 or 203.0.113.5", "port 53 or 443").
 */
import { Decoded, parseIpWords } from './decode.js';

export type Pred = (d: Decoded) => boolean;

export class FilterError extends Error {
  /** The message in Chinese. */
  readonly zh: string;
  constructor(message: string, zh: string) {
    super(message);
    this.name = 'FilterError';
    this.zh = zh;
  }
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|&&|\|\||!|[^\s()!]+)/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(s)) !== null) {
    out.push(m[1]!);
    last = re.lastIndex;
  }
  if (s.slice(last).trim() !== '') throw new FilterError(`cannot read '${s.slice(last).trim()}'`, `无法解析 '${s.slice(last).trim()}'`);
  return out;
}

type Dir = 'src' | 'dst' | 'any';

function addrPred(dir: Dir, text: string, prefix: number | null): Pred {
  const w = parseIpWords(text);
  if (!w) throw new FilterError(`'${text}' is not an IP address`, `'${text}' 不是 IP 地址`);
  const [ver, a, b, c, e] = w;
  const bits = prefix ?? (ver === 4 ? 32 : 128);
  if (bits < 0 || bits > (ver === 4 ? 32 : 128)) throw new FilterError(`prefix /${bits} out of range`, `前缀 /${bits} 超出范围`);
  // Mask per 32-bit word.
  const words = ver === 4 ? [0, 0, 0, e] : [a, b, c, e];
  const masks = [0, 0, 0, 0].map((_, i) => {
    const lo = ver === 4 ? (i === 3 ? 0 : -1) : i * 32;
    if (lo < 0) return 0;
    const n = Math.max(0, Math.min(32, bits - lo));
    return n === 0 ? 0 : n === 32 ? 0xffffffff : (0xffffffff << (32 - n)) >>> 0;
  });
  const [m0, m1, m2, m3] = masks as [number, number, number, number];
  const [w0, w1, w2, w3] = words.map((x, i) => (x & masks[i]!) >>> 0) as [number, number, number, number];
  const srcIs = (d: Decoded): boolean => d.ipVer === ver && (d.src3 & m3) >>> 0 === w3 && (d.src2 & m2) >>> 0 === w2 && (d.src1 & m1) >>> 0 === w1 && (d.src0 & m0) >>> 0 === w0;
  const dstIs = (d: Decoded): boolean => d.ipVer === ver && (d.dst3 & m3) >>> 0 === w3 && (d.dst2 & m2) >>> 0 === w2 && (d.dst1 & m1) >>> 0 === w1 && (d.dst0 & m0) >>> 0 === w0;
  // ARP: sender / target protocol addresses count as src / dst (as in tcpdump).
  const arpSrc = (d: Decoded): boolean => ver === 4 && d.arpOp !== 0 && (d.arpSpa & m3) >>> 0 === w3;
  const arpDst = (d: Decoded): boolean => ver === 4 && d.arpOp !== 0 && (d.arpTpa & m3) >>> 0 === w3;
  if (dir === 'src') return (d) => srcIs(d) || arpSrc(d);
  if (dir === 'dst') return (d) => dstIs(d) || arpDst(d);
  return (d) => srcIs(d) || dstIs(d) || arpSrc(d) || arpDst(d);
}

function portNum(t: string | undefined): number {
  if (t === undefined || !/^\d{1,5}$/.test(t) || Number(t) > 65535) throw new FilterError(`'${t ?? ''}' is not a port number`, `'${t ?? ''}' 不是端口号`);
  return Number(t);
}

function portPred(dir: Dir, lo: number, hi: number): Pred {
  const inr = (p: number): boolean => p >= lo && p <= hi;
  if (dir === 'src') return (d) => d.sport >= 0 && inr(d.sport);
  if (dir === 'dst') return (d) => d.dport >= 0 && inr(d.dport);
  return (d) => d.sport >= 0 && (inr(d.sport) || inr(d.dport));
}

/** The parser's place in the token list, and the kind of the last primitive (for bare values). */
interface Cursor {
  toks: string[];
  i: number;
  lastKind: { kind: 'host' | 'net' | 'port'; dir: Dir } | null;
}

const peek = (c: Cursor): string | undefined => c.toks[c.i];

function next(c: Cursor): string {
  const t = c.toks[c.i++];
  if (t === undefined) throw new FilterError('unexpected end of the expression', '表达式意外结束');
  return t;
}

/** Compiles a filter expression; throws FilterError naming what it could not read. */
export function compileFilter(expr: string): Pred {
  const c: Cursor = { toks: tokenize(expr), i: 0, lastKind: null };
  if (c.toks.length === 0) return () => true;
  const p = orExpr(c);
  if (c.i < c.toks.length) throw new FilterError(`unexpected '${c.toks[c.i]}'`, `多余的 '${c.toks[c.i]}'`);
  return p;
}

function orExpr(c: Cursor): Pred {
  let p = andExpr(c);
  while (peek(c)?.toLowerCase() === 'or' || peek(c) === '||') {
    c.i++;
    const l = p;
    const r = andExpr(c);
    p = (d) => l(d) || r(d);
  }
  return p;
}

function andExpr(c: Cursor): Pred {
  let p = primary(c);
  for (;;) {
    const t = peek(c)?.toLowerCase();
    if (t === 'and' || t === '&&') {
      c.i++;
      const l = p;
      const r = primary(c);
      p = (d) => l(d) && r(d);
    } else if (t !== undefined && t !== 'or' && t !== '||' && t !== ')') {
      // tcpdump reads juxtaposition as "and".
      const l = p;
      const r = primary(c);
      p = (d) => l(d) && r(d);
    } else return p;
  }
}

/** A parenthesised expression, a negation, or one primitive (with its src/dst qualifier). */
function primary(c: Cursor): Pred {
  const t = next(c).toLowerCase();
  if (t === '(') {
    const p = orExpr(c);
    if (next(c) !== ')') throw new FilterError("expected ')'", "缺少 ')'");
    return p;
  }
  if (t === 'not' || t === '!') {
    const p = primary(c);
    return (d) => !p(d);
  }
  let dir: Dir = 'any';
  let kw = t;
  if (t === 'src' || t === 'dst') {
    dir = t;
    kw = next(c).toLowerCase();
    if (kw !== 'host' && kw !== 'net' && kw !== 'port' && kw !== 'portrange') {
      // "src 198.51.100.1" means "src host …"
      c.i--;
      kw = 'host';
    }
  }
  return primitive(c, kw, dir, t);
}

/** The primitive named by `kw` (`t`: the word as read, for the error message). */
function primitive(c: Cursor, kw: string, dir: Dir, t: string): Pred {
  switch (kw) {
    case 'host':
      c.lastKind = { kind: 'host', dir };
      return addrPred(dir, next(c), null);
    case 'net': {
      c.lastKind = { kind: 'net', dir };
      const [a, p] = next(c).split('/');
      if (p === undefined || !/^\d{1,3}$/.test(p)) throw new FilterError(`net needs ADDRESS/PREFIX, got '${a}'`, `net 需要 ADDRESS/PREFIX，实际为 '${a}'`);
      return addrPred(dir, a!, Number(p));
    }
    case 'port':
      c.lastKind = { kind: 'port', dir };
      {
        const n = portNum(next(c));
        return portPred(dir, n, n);
      }
    case 'portrange': {
      const m = /^(\d{1,5})-(\d{1,5})$/.exec(next(c));
      if (!m) throw new FilterError('portrange needs N-M', 'portrange 需要 N-M');
      return portPred(dir, portNum(m[1]), portNum(m[2]));
    }
    case 'tcp':
      return (d) => d.proto === 6;
    case 'udp':
      return (d) => d.proto === 17;
    case 'icmp':
      return (d) => d.proto === 1;
    case 'icmp6':
      return (d) => d.proto === 58;
    case 'ip':
      return (d) => d.ipVer === 4;
    case 'ip6':
      return (d) => d.ipVer === 6;
    case 'arp':
      return (d) => d.arpOp !== 0;
    default: {
      // A bare value repeats the last primitive: "port 53 or 443".
      const lk = c.lastKind;
      if (lk !== null) {
        if (lk.kind === 'port' && /^\d+$/.test(kw)) return portPred(lk.dir, portNum(kw), portNum(kw));
        if (lk.kind === 'host' && parseIpWords(kw)) return addrPred(lk.dir, kw, null);
      }
      if (parseIpWords(kw)) return addrPred('any', kw, null);
      throw new FilterError(
        `unknown word '${t}' (supported: host, net, port, portrange, src, dst, tcp, udp, icmp, icmp6, ip, ip6, arp, and, or, not)`,
        `未知的词 '${t}'（支持：host、net、port、portrange、src、dst、tcp、udp、icmp、icmp6、ip、ip6、arp、and、or、not）`,
      );
    }
  }
}
