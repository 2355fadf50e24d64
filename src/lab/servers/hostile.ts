/**
 * Hostile and broken servers for the lab: each mode misbehaves in one way that a real
 * server, a middlebox or an attacker does, so that netdx must end in a named finding or say that
 * it could not judge — never `ok`. TLS modes write raw TLS 1.2 records after reading the client's
 * first bytes (the ClientHello), so no TLS library's own limits stand in the way.
 *
 * Usage: node hostile.js MODE ADDRESS[,ADDRESS…] PORT [CERT_PEM [KEY_PEM]]
 *   small-dh        TLS 1.2 ServerHello (DHE-RSA) + Certificate + ServerKeyExchange with a 480-bit DH prime
 *   unexpected      after the ClientHello, a well-formed record holding a message the client cannot expect
 *   garbage         after the ClientHello, bytes that are not TLS at all
 *   endless         after the ClientHello, TLS handshake records without end (empty HelloRequests, never a ServerHello)
 *   big-cert        ServerHello + a Certificate message of 300 KB
 *   fin             after the ClientHello, a half-close (FIN), reading on
 *   reset           after the ClientHello, a reset (RST)
 *   http-silent     plain TCP (or TLS with CERT/KEY): reads the request, never answers
 *   http-garbage    plain TCP (or TLS with CERT/KEY): answers the request with binary garbage
 */
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';

const [mode = '', address = '127.0.0.1', portText = '0', certFile, keyFile] = process.argv.slice(2);

const u8 = (n: number): Buffer => Buffer.from([n & 0xff]);
const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);
const vec24 = (b: Buffer): Buffer => Buffer.concat([u24(b.length), b]);
/** One handshake message: type, 3-byte length, body. */
export const hsMessage = (type: number, body: Buffer): Buffer => Buffer.concat([u8(type), vec24(body)]);
/** TLS records of one content type, split at 16 KiB. */
export function records(type: number, payload: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < payload.length || i === 0; i += 16384) {
    const chunk = payload.subarray(i, i + 16384);
    out.push(Buffer.concat([u8(type), u16(0x0303), u16(chunk.length), chunk]));
    if (payload.length === 0) break;
  }
  return Buffer.concat(out);
}

/** A TLS 1.2 ServerHello choosing DHE-RSA-AES128-GCM-SHA256 (0x009E), with renegotiation_info. */
export function serverHello(): Buffer {
  const random = Buffer.alloc(32, 0x42);
  const ext = Buffer.concat([u16(0xff01), vec16(Buffer.from([0]))]);
  return hsMessage(2, Buffer.concat([u16(0x0303), random, u8(0), u16(0x009e), u8(0), vec16(ext)]));
}

function certificateMsg(ders: Buffer[]): Buffer {
  return hsMessage(11, vec24(Buffer.concat(ders.map((d) => vec24(d)))));
}

/** DHE ServerKeyExchange with a prime of `bits` bits (odd, top bit set) and a signature nobody checks first. */
export function smallDhKeyExchange(bits: number): Buffer {
  const p = Buffer.alloc(Math.ceil(bits / 8), 0xa5);
  p[0] = (0x80 >> ((8 - (bits % 8 || 8)) % 8)) | (p[0]! & (0xff >> (8 - (bits % 8 || 8))));
  p[p.length - 1]! |= 1;
  const ys = Buffer.alloc(p.length, 0x33);
  const sig = Buffer.alloc(256, 0x55);
  return hsMessage(12, Buffer.concat([vec16(p), vec16(Buffer.from([2])), vec16(ys), u16(0x0401), vec16(sig)]));
}

const leafDer = (): Buffer => (certFile ? new X509Certificate(readFileSync(certFile)).raw : Buffer.alloc(64, 0x30));

/** What the TLS modes send once the ClientHello's first bytes arrived (null: handled in place). */
function tlsReply(m: string, sock: net.Socket): Buffer | null {
  switch (m) {
    case 'small-dh':
      return records(22, Buffer.concat([serverHello(), certificateMsg([leafDer()]), smallDhKeyExchange(480), hsMessage(14, Buffer.alloc(0))]));
    case 'unexpected':
      // A ServerHelloDone where a ServerHello must come.
      return records(22, hsMessage(14, Buffer.alloc(0)));
    case 'garbage':
      return Buffer.from('\x00\x07\xffgarbage\x01\x02\x03 not a TLS record at all\r\n', 'latin1');
    case 'big-cert': {
      const big = Buffer.alloc(300 * 1024, 0x30);
      return records(22, Buffer.concat([serverHello(), certificateMsg([big])]));
    }
    case 'endless': {
      // Handshake records without end, each full of empty HelloRequests, which a client skips: it
      // never sees a ServerHello and, left alone, reads forever.
      const chunk = records(22, Buffer.alloc(16000, 0));
      const spew = (): void => void (sock.destroyed || sock.write(chunk, () => setImmediate(spew)));
      spew();
      return null;
    }
    case 'fin':
      sock.end();
      return null;
    case 'reset':
      sock.resetAndDestroy();
      return null;
    default:
      throw new Error(`unknown mode ${m}`);
  }
}

function httpHandler(m: string, sock: net.Socket | tls.TLSSocket): void {
  sock.on('error', () => {});
  sock.once('data', () => {
    if (m === 'http-garbage') sock.write(Buffer.from('\x00\x01\x02\xff\xfeNOT HTTP\x00\x00\x00\r\n\r\n\x7f\x7f', 'latin1'));
    // http-silent: nothing, ever; the connection stays open until the client gives up.
  });
}

function makeServer(): net.Server {
  if (mode.startsWith('http-')) {
    const server = certFile && keyFile ? tls.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (s) => httpHandler(mode, s)) : net.createServer((s) => httpHandler(mode, s));
    server.on('tlsClientError', () => {});
    return server;
  }
  return net.createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', () => {
      const out = tlsReply(mode, sock);
      if (out) sock.write(out);
    });
  });
}
for (const a of address.split(',')) makeServer().listen(Number(portText), a, () => console.log(`hostile ${mode} listening on ${a}:${portText}`));
