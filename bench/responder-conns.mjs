// Bench (issue 16): the responder's memory under N idle connections (default 10,000) on loopback.
// Usage: node bench/responder-conns.mjs [N]   (needs ulimit -n above 2N+100)
import net from 'node:net';
import { startResponder } from '../dist/responder/server.js';

const n = Number(process.argv[2] ?? 10_000);
const r = await startResponder({ host: '127.0.0.1', port: 0, token: 'x', tls: null, connRate: 1e6, idleMs: 120_000 });
globalThis.gc?.();
const before = process.memoryUsage();
const socks = [];
for (let i = 0; i < n; i++) {
  const s = net.connect(r.address.port, '127.0.0.1');
  s.on('error', () => {});
  socks.push(s);
  if (i % 500 === 499) await new Promise((res) => setTimeout(res, 20));
}
await new Promise((res) => setTimeout(res, 1000));
globalThis.gc?.();
const after = process.memoryUsage();
// Both ends live in this process: half of the growth is the client side.
console.log(
  JSON.stringify({
    connections: n,
    active: r.stats.active,
    rssMiB: +(after.rss / 2 ** 20).toFixed(1),
    rssGrowthMiB: +((after.rss - before.rss) / 2 ** 20).toFixed(1),
    heapGrowthMiB: +((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(1),
    bytesPerConnectionBothEnds: Math.round((after.rss - before.rss) / n),
  }),
);
for (const s of socks) s.destroy();
await r.close();
