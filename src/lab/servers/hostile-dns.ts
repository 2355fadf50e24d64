/**
 * A hostile DNS resolver: it answers every query, but never with something usable.
 * Modes:
 *   ptr-loop     a reply whose answer name is a compression pointer to itself
 *   cname-loop   NAME CNAME loop1.NAME, loop1.NAME CNAME NAME — and no address
 *   wrong-id     a well-formed answer with another transaction id
 *   garbage      random bytes
 *   tc-garbage   a truncated (TC) reply over UDP, then random bytes over TCP
 *   wrong-port   a well-formed answer, sent from port 5353 instead of 53
 *
 * Usage: node hostile-dns.js ADDRESS MODE (port 53, UDP and TCP)
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import * as dnsPacket from 'dns-packet';

const [address = '127.0.0.1', mode = 'garbage'] = process.argv.slice(2);
const FLAGS = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;

type Question = { name: string; type: string; class?: string };

/** The 12-byte header and the question of the query, copied (the part a reply repeats). */
function headerAndQuestion(msg: Buffer, id: number, flags: number, an: number): Buffer {
  let end = 12;
  while (end < msg.length && msg[end] !== 0) end += msg[end]! + 1;
  end += 5; // root label + qtype + qclass
  const out = Buffer.from(msg.subarray(0, Math.min(end, msg.length)));
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(0x8000 | flags, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(an, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

function reply(msg: Buffer, transport: 'udp' | 'tcp'): Buffer {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return randomBytes(40);
  }
  const id = q.id ?? 0;
  const question = (q.questions?.[0] ?? { name: 'x', type: 'A' }) as Question;
  switch (mode) {
    case 'ptr-loop': {
      // One answer whose owner name is a pointer to its own offset: a decoder that follows it loops.
      const head = headerAndQuestion(msg, id, FLAGS, 1);
      const at = head.length;
      const rr = Buffer.alloc(2 + 10 + 4);
      rr.writeUInt16BE(0xc000 | at, 0);
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      rr.writeUInt32BE(0xcb007110, 12);
      return Buffer.concat([head, rr]);
    }
    case 'cname-loop': {
      const a = question.name;
      const b = `loop1.${a}`;
      return dnsPacket.encode({
        id,
        type: 'response',
        flags: FLAGS,
        questions: [question as dnsPacket.Question],
        answers: [
          { type: 'CNAME', name: a, ttl: 60, data: b },
          { type: 'CNAME', name: b, ttl: 60, data: a },
        ],
      } as dnsPacket.Packet);
    }
    case 'wrong-id':
      return dnsPacket.encode({
        id: (id + 1) & 0xffff,
        type: 'response',
        flags: FLAGS,
        questions: [question as dnsPacket.Question],
        answers: question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: '203.0.113.10' }] : [],
      } as dnsPacket.Packet);
    case 'wrong-port':
      return dnsPacket.encode({
        id,
        type: 'response',
        flags: FLAGS,
        questions: [question as dnsPacket.Question],
        answers: question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: '203.0.113.10' }] : [],
      } as dnsPacket.Packet);
    case 'tc-garbage':
      if (transport === 'udp') return headerAndQuestion(msg, id, FLAGS | 0x0200, 0);
      return randomBytes(64);
    default:
      return randomBytes(12 + (msg[0]! % 40));
  }
}

const udp = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
// wrong-port: the answer leaves by another socket, so its source port is 5353.
const other = mode === 'wrong-port' ? dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4') : null;
other?.bind(5353, address);
udp.on('message', (msg, rinfo) => (other ?? udp).send(reply(msg, 'udp'), rinfo.port, rinfo.address));
udp.bind(53, address);

const tcp = net.createServer((sock) => {
  let acc = Buffer.alloc(0);
  sock.on('error', () => sock.destroy());
  sock.on('data', (d: Buffer) => {
    acc = Buffer.concat([acc, d]);
    if (acc.length < 2 || acc.length < 2 + acc.readUInt16BE(0)) return;
    const r = reply(acc.subarray(2, 2 + acc.readUInt16BE(0)), 'tcp');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(r.length);
    sock.end(Buffer.concat([len, r]));
  });
});
tcp.listen(53, address, () => console.log(`hostile-dns (${mode}) listening on ${address}:53`));
