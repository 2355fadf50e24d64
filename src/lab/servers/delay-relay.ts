/**
 * The lab's delaying relay (the kernel here has no tc netem): socat hands every packet that a
 * router sends into its TUN device to this relay as one UDP datagram; the relay sends it back
 * DELAY_MS later and socat writes it into the TUN device, where the router forwards it on. Only
 * loopback inside the router's namespace is used.
 *
 * Usage: node delay-relay.js PORT DELAY_MS
 */
import dgram from 'node:dgram';

const [portText = '9001', delayText = '100'] = process.argv.slice(2);
const delay = Number(delayText);
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  setTimeout(() => sock.send(msg, rinfo.port, rinfo.address), delay);
});
sock.bind(Number(portText), '127.0.0.1', () => console.log(`delay-relay on 127.0.0.1:${portText}, ${delay} ms`));
