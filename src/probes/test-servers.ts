/**
 * Test doubles for the probes: real servers on loopback ephemeral ports (UDP/TCP DNS, plain TCP
 * behaviours). Only 127.0.0.1 / ::1; every server closes with `close()`.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import * as dnsPacket from 'dns-packet';

export interface Closable {
  port: number;
  close(): Promise<void>;
}

/** What a fake resolver does with one decoded query: bytes to send (or null to stay silent). */
export type DnsBehaviour = (q: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp') => Buffer | Buffer[] | null;

/** A UDP + TCP DNS server on the same loopback port. */
export async function dnsServer(behaviour: DnsBehaviour, host = '127.0.0.1'): Promise<Closable & { queries: Array<{ transport: 'udp' | 'tcp'; packet: dnsPacket.DecodedPacket }> }> {
  const queries: Array<{ transport: 'udp' | 'tcp'; packet: dnsPacket.DecodedPacket }> = [];
  const tcp = net.createServer((s) => {
    let acc = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length < 2 || acc.length < 2 + acc.readUInt16BE(0)) return;
      const packet = dnsPacket.decode(acc.subarray(2, 2 + acc.readUInt16BE(0)));
      queries.push({ transport: 'tcp', packet });
      const out = behaviour(packet, 'tcp');
      for (const b of out === null ? [] : Array.isArray(out) ? out : [out]) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(Math.min(b.length, 65_535));
        s.write(Buffer.concat([len, b]));
      }
    });
  });
  tcp.listen(0, host);
  await once(tcp, 'listening');
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch {
      return;
    }
    queries.push({ transport: 'udp', packet });
    const out = behaviour(packet, 'udp');
    for (const b of out === null ? [] : Array.isArray(out) ? out : [out]) udp.send(b, rinfo.port, rinfo.address);
  });
  udp.bind(port, host);
  await once(udp, 'listening');
  return {
    port,
    queries,
    close: async () => {
      udp.close();
      tcp.close();
      await once(tcp, 'close');
    },
  };
}

/** A DNS response to `q` with the given rcode, flags and answers. */
export function reply(q: dnsPacket.DecodedPacket, opts: { rcode?: number; tc?: boolean; answers?: dnsPacket.Answer[]; id?: number } = {}): Buffer {
  const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (opts.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | (opts.rcode ?? 0);
  return dnsPacket.encode({ type: 'response', id: opts.id ?? q.id ?? 0, flags, questions: q.questions ?? [], answers: opts.answers ?? [] });
}

/** A loopback port that nothing listens on (bound once, then released). */
export async function closedPort(host = '127.0.0.1', kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.bind(0, host);
    await once(s, 'listening');
    const port = s.address().port;
    s.close();
    return port;
  }
  const srv = net.createServer();
  srv.listen(0, host);
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A TCP server whose accepted sockets get `onSocket`; open sockets are destroyed on close. */
export async function tcpServer(onSocket: (s: net.Socket) => void, host = '127.0.0.1'): Promise<Closable & { accepted: () => number }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const srv = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  srv.listen(0, host);
  await once(srv, 'listening');
  return {
    port: (srv.address() as net.AddressInfo).port,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      srv.close();
      await once(srv, 'close');
    },
  };
}

/** The committed test certificates (test/fixtures/certs, see make.sh there). */
export function certFile(name: string): string {
  return readFileSync(new URL(`../../test/fixtures/certs/${name}`, import.meta.url), 'utf8');
}

/** A node:tls server on loopback; errors of misbehaving clients are swallowed; `servernames` records the SNI seen. */
export async function tlsServer(opts: tls.TlsOptions, host = '127.0.0.1'): Promise<Closable & { servernames: Array<string | false | null> }> {
  const servernames: Array<string | false | null> = [];
  const sockets = new Set<net.Socket>();
  const srv = tls.createServer(opts, (s) => {
    servernames.push(s.servername);
    s.on('error', () => {});
    s.on('data', () => {});
  });
  srv.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  srv.on('tlsClientError', () => {});
  srv.listen(0, host);
  await once(srv, 'listening');
  return {
    port: (srv.address() as net.AddressInfo).port,
    servernames,
    close: async () => {
      for (const s of sockets) s.destroy();
      srv.close();
      await once(srv, 'close');
    },
  };
}
