/**
 * The two ends that lab-fixtures.ts records, run as their own processes inside its namespaces:
 *   node lab-fixtures-peers.js server                 (the server host)
 *   node lab-fixtures-peers.js heartbeat|idle|dns|dns-moved SERVER_IP   (the client host)
 * The server: PING→PONG three times then silence on :7000, an echo on :7001, DNS on :53 answering
 * NXDOMAIN for nope.lab.test, 198.51.100.66 for moved.lab.test (a record that moved elsewhere:
 * DNS-005 against --expect-ip) and REFUSED for everything else. Node built-ins only.
 */
import net from 'node:net';
import dgram from 'node:dgram';

function server(): void {
  net
    .createServer((s) => {
      let n = 0;
      s.on('data', () => {
        if (++n <= 3) s.write('PONG\n');
      });
      s.on('error', () => {});
    })
    .listen(7000);
  net
    .createServer((s) => {
      s.on('data', (d) => s.write(d));
      s.on('error', () => {});
    })
    .listen(7001);
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => {
    let o = 12;
    const labels: string[] = [];
    while (m[o]) {
      labels.push(m.subarray(o + 1, o + 1 + m[o]!).toString());
      o += 1 + m[o]!;
    }
    const name = labels.join('.');
    const rcode = name === 'nope.lab.test' ? 3 : name === 'moved.lab.test' ? 0 : 5;
    let out = Buffer.from(m.subarray(0, o + 5));
    out[2] = 0x81;
    out[3] = 0x80 | rcode;
    out.writeUInt16BE(0, 6);
    if (rcode === 0) {
      out.writeUInt16BE(1, 6);
      out = Buffer.concat([out, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 66])]);
    }
    u.send(out, r.port, r.address);
  });
  u.bind(53);
}

const query = (id: number, name: string): Buffer =>
  Buffer.concat([
    Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);

/** Six PINGs a second apart on :7000, the connection closed 1.5 s after the last. */
function heartbeat(host: string): void {
  const s = net.connect(7000, host);
  s.on('data', () => {});
  let n = 0;
  const t = setInterval(() => {
    s.write('PING\n');
    if (++n === 6) {
      clearInterval(t);
      setTimeout(() => s.destroy(), 1500);
    }
  }, 1000);
}

/** One exchange on :7001, 5 s of silence, then one more write that nobody answers; gone 4 s later. */
function idle(host: string): void {
  const s = net.connect(7001, host);
  s.on('error', () => {});
  s.once('data', () =>
    setTimeout(() => {
      s.write('again\n');
      setTimeout(() => s.destroy(), 4000);
    }, 5000),
  );
  s.write('hello\n');
}

/** nope.lab.test (NXDOMAIN) and www.lab.test (REFUSED), one socket. */
function dns(host: string): void {
  const u = dgram.createSocket('udp4');
  let got = 0;
  u.on('message', () => {
    if (++got === 2) u.close();
  });
  u.send(query(0x1111, 'nope.lab.test'), 53, host);
  u.send(query(0x2222, 'www.lab.test'), 53, host);
  setTimeout(() => u.close(), 2000).unref();
}

/** moved.lab.test, answered with 198.51.100.66. */
function dnsMoved(host: string): void {
  const u = dgram.createSocket('udp4');
  u.on('message', () => u.close());
  u.send(query(0x3333, 'moved.lab.test'), 53, host);
  setTimeout(() => u.close(), 2000).unref();
}

const CLIENTS: Record<string, (host: string) => void> = { heartbeat, idle, dns, 'dns-moved': dnsMoved };

const [mode, host] = process.argv.slice(2);
if (mode === 'server') server();
else if (mode && host && CLIENTS[mode]) CLIENTS[mode](host);
else {
  process.stderr.write(`usage: lab-fixtures-peers.js server | ${Object.keys(CLIENTS).join('|')} SERVER_IP\n`);
  process.exitCode = 64;
}
