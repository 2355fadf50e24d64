/**
 * An HTTPS server whose clock runs SKEW seconds ahead of the machine's: every response carries a
 * `Date` header from that clock. From the client's side this is exactly what a client with a
 * clock that lags by SKEW seconds sees (HOST-003): the client's clock cannot be changed per
 * network namespace, so the lab moves the server's clock instead. Its certificate is valid from
 * one hour after the real time, i.e. valid by the server's clock, "not yet valid" by the client's.
 *
 * Usage: node skewed-https.js ADDRESS PORT CERT KEY SKEW_SECONDS
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';

const [address = '127.0.0.1', portText = '443', cert = '', key = '', skewText = '7200'] = process.argv.slice(2);
const skewMs = Number(skewText) * 1000;
const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  res.sendDate = false;
  res.writeHead(200, { Date: new Date(Date.now() + skewMs).toUTCString(), 'Content-Type': 'text/plain', Server: 'lab-skewed' });
  res.end('hello from a server whose clock runs ahead\n');
});
server.on('tlsClientError', () => {});
server.listen(Number(portText), address, () => console.log(`skewed-https listening on ${address}:${portText}, clock ${skewText}s ahead`));
