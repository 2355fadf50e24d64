/**
 * Synthesized captures for the pcap tests: one small scenario per fault, built with the writer.
 * (Lab captures made with tcpdump live in src/pcap/fixtures/.)
 */
import { CaptureWriter, TcpConv, arpPacket, ether, frame, icmp, ip, udp, type Station } from './writer.js';

export const CLIENT: Station = { ip: '198.51.100.2', mac: '02:00:00:00:00:02' };
export const SERVER: Station = { ip: '203.0.113.10', mac: '02:00:00:00:00:10' };
export const ROUTER: Station = { ip: '198.51.100.1', mac: '02:00:00:00:00:01' };
export const RESOLVER: Station = { ip: '203.0.113.53', mac: '02:00:00:00:00:53' };

/** CN=www.lab.test, SAN DNS:www.lab.test, valid 2026-12-03 … 2027-12-03 (EC P-256, DER). */
export const CERT_DER = Buffer.from(
  'MIIBxDCCAWqgAwIBAgIUbHVpcmF9fJC/AmJg5aVhmvGHxhwwCgYIKoZIzj0EAwIwKzESMBAGA1UECgwJbmV0ZHggbGFiMRUwEwYDVQQDDAx3d3cubGFiLnRlc3QwHhcNMjYxMjAzMDg0MjMxWhcNMjcxMjAzMDg0MjMxWjArMRIwEAYDVQQKDAluZXRkeCBsYWIxFTATBgNVBAMMDHd3dy5sYWIudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPMLetiuTx7+k5Et/Q2nOnDhhuEsFuOPyv1cRRy6Szkez6PGcqr5DNu4YHNVrVA84YzwXGhTvLDHcUzgL/GstZKjbDBqMB0GA1UdDgQWBBTh9l0TsW9pdXL6i8+4DKzOr3RWHDAfBgNVHSMEGDAWgBTh9l0TsW9pdXL6i8+4DKzOr3RWHDAPBgNVHRMBAf8EBTADAQH/MBcGA1UdEQQQMA6CDHd3dy5sYWIudGVzdDAKBggqhkjOPQQDAgNIADBFAiA9ZmXGSIqdZqoWZK+e7FrNdT5r0ILuPwPLyqk3zdlLDgIhALefRF+Sfe6TsIlqENABz50DuaB9iWVt8Kb1ZO9sYL/A',
  'base64',
);
export const CERT_VALID_US = Date.UTC(2027, 0, 15) * 1000;

/** µs since the epoch of a capture's first packet (inside the certificate's validity). */
export const T0 = CERT_VALID_US;

const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 255, n & 255]);

export function tlsRecord(type: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
}

export function handshakeMsg(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

export function clientHello(sni: string | null, versions: number[] = [0x0304, 0x0303]): Buffer {
  const exts: Buffer[] = [];
  if (sni !== null) {
    const name = Buffer.from(sni);
    const list = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
    const ext = Buffer.concat([u16(list.length), list]);
    exts.push(Buffer.concat([u16(0), u16(ext.length), ext]));
  }
  const vs = Buffer.concat([Buffer.from([versions.length * 2]), ...versions.map(u16)]);
  exts.push(Buffer.concat([u16(43), u16(vs.length), vs]));
  const extBytes = Buffer.concat(exts);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 1), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), u16(extBytes.length), extBytes]);
  return tlsRecord(22, handshakeMsg(1, body), 0x0301);
}

export function serverHello(version = 0x0303, cipher = 0xc02f): Buffer {
  const exts = version === 0x0304 ? Buffer.concat([u16(43), u16(2), u16(0x0304)]) : Buffer.alloc(0);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 2), Buffer.from([0]), u16(cipher), Buffer.from([0]), u16(exts.length), exts]);
  return handshakeMsg(2, body);
}

export function certificateMsg(certs: Buffer[]): Buffer {
  const list = Buffer.concat(certs.map((c) => Buffer.concat([u24(c.length), c])));
  return handshakeMsg(11, Buffer.concat([u24(list.length), list]));
}

export const alert = (desc: number, level = 2): Buffer => tlsRecord(21, Buffer.from([level, desc]));

type Build = (w: CaptureWriter) => void;

function make(build: Build): Buffer {
  const w = new CaptureWriter({ format: 'pcap' });
  build(w);
  return w.toBuffer();
}

const conv = (w: CaptureWriter, port: number, cport = 40000, at = T0): TcpConv => new TcpConv(w, CLIENT, SERVER, cport, port, at);

/** One capture per case, by name. */
export const CASES: Record<string, () => Buffer> = {
  healthy: () =>
    make((w) => {
      const c = conv(w, 443);
      c.handshake(2).tick(1).data('c', 200).tick(2).data('s', 1200).tick(1).ack('c').close();
    }),
  'tcp-001': () => make((w) => conv(w, 444).syn().tick(1).rst('s')),
  'tcp-002': () =>
    make((w) => {
      conv(w, 8443).syn().tick(1000).syn().tick(2000).syn();
      // The host is up: ping answered.
      w.packet(T0 + 10, frame(CLIENT, SERVER, 1, icmp(8, 0, 0x00010001, Buffer.alloc(8))));
      w.packet(T0 + 500, frame(SERVER, CLIENT, 1, icmp(0, 0, 0x00010001, Buffer.alloc(8))));
    }),
  'tcp-003': () =>
    make((w) => {
      const c = conv(w, 8081);
      c.syn();
      const quoted = ip({ src: CLIENT.ip, dst: SERVER.ip, proto: 6 }, Buffer.from('9c401f91000003e700000000', 'hex'));
      w.packet(T0 + 300, frame(SERVER, CLIENT, 1, icmp(3, 13, 0, Buffer.concat([quoted, Buffer.alloc(8)]))));
    }),
  'tcp-004': () => make((w) => conv(w, 8082).handshake(1).tick(3).rst('s')),
  'tcp-006': () =>
    make((w) => {
      const c = conv(w, 8083);
      c.handshake(1).tick(1).data('c', 10).tick(1).data('s', 10).tick(1).ack('c');
      c.tick(45_000).data('c', 10).tick(1).rst('s', false);
    }),
  'net-009': () =>
    make((w) => {
      const c = conv(w, 443);
      c.handshake(1).tick(1).data('c', 300).tick(1).data('s', 100).tick(1);
      const seq = c.cseq;
      c.data('c', 1448);
      for (let i = 0; i < 4; i++) c.tick(200 * 2 ** i).data('c', 1448, { retransmitOf: seq });
    }),
  'net-009-icmp': () =>
    make((w) => {
      const c = conv(w, 443);
      c.handshake(1).data('c', 1448);
      const quoted = ip({ src: CLIENT.ip, dst: SERVER.ip, proto: 6 }, Buffer.from('9c4001bb000003e800000000', 'hex'));
      w.packet(c.at + 100, frame(ROUTER, CLIENT, 1, icmp(3, 4, 1400, Buffer.concat([quoted, Buffer.alloc(8)]))));
    }),
  'net-002': () =>
    make((w) => {
      for (let i = 0; i < 4; i++) w.packet(T0 + i * 1_000_000, ether(CLIENT.mac, 'ff:ff:ff:ff:ff:ff', 0x0806, arpPacket(1, CLIENT.mac, CLIENT.ip, '00:00:00:00:00:00', ROUTER.ip)));
    }),
  'net-004': () =>
    make((w) => {
      // Routed traffic to several addresses goes to the gateway's MAC; pings to SERVER leave to another MAC.
      w.packet(T0, ether(ROUTER.mac, CLIENT.mac, 0x0806, arpPacket(2, ROUTER.mac, ROUTER.ip, CLIENT.mac, CLIENT.ip)));
      w.packet(T0 + 1, ether('02:00:00:00:00:66', CLIENT.mac, 0x0806, arpPacket(2, '02:00:00:00:00:66', '198.51.100.66', CLIENT.mac, CLIENT.ip)));
      for (const [i, dst] of ['203.0.113.20', '203.0.113.21', '203.0.113.22'].entries()) {
        w.packet(T0 + 10 + i, frame(CLIENT, { ip: dst, mac: ROUTER.mac }, 17, udp(5000, 53, Buffer.alloc(0))));
      }
      for (let i = 0; i < 3; i++) w.packet(T0 + 100 + i * 1000, frame(CLIENT, { ip: SERVER.ip, mac: '02:00:00:00:00:66' }, 1, icmp(8, 0, 0x00020000 + i, Buffer.alloc(8))));
    }),
  'dns-002': () => make((w) => dns(w, 'nope.lab.test', 3, [])),
  'dns-003': () => make((w) => dns(w, 'www.lab.test', 5, [])),
  'dns-005': () => make((w) => dns(w, 'www.lab.test', 0, ['203.0.113.66'])),
  'tls-alert-version': () =>
    make((w) => {
      const c = conv(w, 443);
      c.handshake(1)
        .tick(1)
        .data('c', clientHello('www.lab.test', [0x0302]))
        .tick(1)
        .data('s', alert(70))
        .tick(1)
        .rst('s');
    }),
  'tls-alert-client-cert': () =>
    make((w) => {
      const c = conv(w, 443);
      const sh = tlsRecord(22, Buffer.concat([serverHello(), certificateMsg([CERT_DER]), handshakeMsg(13, Buffer.from([1, 1, 0, 0, 0, 0])), handshakeMsg(14, Buffer.alloc(0))]));
      c.handshake(1)
        .tick(1)
        .data('c', clientHello('www.lab.test'))
        .tick(1)
        .data('s', sh)
        .tick(1)
        .data('c', tlsRecord(22, handshakeMsg(11, Buffer.from([0, 0, 0]))))
        .tick(1)
        .data('s', alert(40));
    }),
  'tls-001': () => tlsChain('www.lab.test', Date.UTC(2029, 5, 1) * 1000),
  'tls-002': () => tlsChain('www.lab.test', Date.UTC(2025, 5, 1) * 1000),
  'tls-003': () => tlsChain('other.lab.test', CERT_VALID_US),
  'app-001': () =>
    make((w) => {
      const c = conv(w, 7000);
      c.handshake(1);
      for (let i = 0; i < 5; i++) c.tick(10_000).data('c', Buffer.from('PING\n')).tick(2).data('s', Buffer.from('PONG\n')).tick(1).ack('c');
      for (let i = 0; i < 3; i++) {
        const seq = c.cseq;
        c.tick(10_000).data('c', Buffer.from('PING\n'));
        c.tick(400).data('c', Buffer.from('PING\n'), { retransmitOf: seq });
      }
    }),
};

function tlsChain(sni: string, at: number): Buffer {
  return make((w) => {
    const c = conv(w, 443, 40000, at);
    const flight = tlsRecord(22, Buffer.concat([serverHello(), certificateMsg([CERT_DER])]));
    c.handshake(1).tick(1).data('c', clientHello(sni)).tick(1);
    // The server's flight, split over two segments (reassembled).
    c.data('s', flight.subarray(0, 200)).data('s', flight.subarray(200)).tick(1).data('c', alert(42)).tick(1).rst('c');
  });
}

function dns(w: CaptureWriter, name: string, rcode: number, answers: string[]): void {
  const q = dnsMessage(0x1234, name, false, 0, []);
  const r = dnsMessage(0x1234, name, true, rcode, answers);
  w.packet(T0, frame(CLIENT, RESOLVER, 17, udp(45000, 53, q)));
  w.packet(T0 + 3000, frame(RESOLVER, CLIENT, 17, udp(53, 45000, r)));
}

export function dnsMessage(id: number, name: string, response: boolean, rcode: number, answers: string[]): Buffer {
  const qname = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const hdr = Buffer.alloc(12);
  hdr.writeUInt16BE(id, 0);
  hdr.writeUInt16BE((response ? 0x8180 : 0x0100) | rcode, 2);
  hdr.writeUInt16BE(1, 4);
  hdr.writeUInt16BE(answers.length, 6);
  const an = answers.map((a) => Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(a.split('.').map(Number))]));
  return Buffer.concat([hdr, qname, Buffer.from([0, 1, 0, 1]), ...an]);
}
