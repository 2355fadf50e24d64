/**
 * A broken authoritative server for the lab's `partner.test` zone: it answers every query with
 * SERVFAIL. The lab's dnsmasq resolvers forward `partner.test` here, so the client meets
 * SERVFAIL from its real resolvers, as it does when an upstream zone is broken. (dnsmasq cannot
 * be told to answer SERVFAIL itself; this is the only hand-written DNS piece of the lab.)
 *
 * Usage: node dns-servfail.js ADDRESS PORT
 */
import dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';

const SERVFAIL = 2; // rcode in the low 4 bits of the flags word
const [address = '127.0.0.1', portText = '5300'] = process.argv.slice(2);
const sock = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
sock.on('message', (msg, rinfo) => {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const reply = dnsPacket.encode({ id: q.id ?? 0, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | SERVFAIL, questions: q.questions ?? [] } as dnsPacket.Packet);
  sock.send(reply, rinfo.port, rinfo.address);
});
sock.bind(Number(portText), address, () => console.log(`dns-servfail listening on ${address}:${portText}`));
