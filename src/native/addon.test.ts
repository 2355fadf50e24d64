/** The addon's own contract: scoped IPv6 literals, and a dropped watch handle that stops its poller. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadAddon } from './addon.js';

const addon = loadAddon();
const skip = addon ? false : 'raw-socket addon not built';
const ADDON = fileURLToPath(new URL('../../build/Release/netdx_raw.node', import.meta.url));

test('a scoped IPv6 literal (fe80::1%lo, as probes/gateway.ts builds them) is an address; an unknown scope is refused as bad input', { skip }, () => {
  const a = addon!;
  const c = a.constants;
  // A UDP connect sends no packet: the kernel only looks the route up. Without the scope the
  // literal would not even parse (inet_pton), which is the TypeError below.
  const fd = a.socket(c.AF_INET6!, c.SOCK_DGRAM!, c.IPPROTO_UDP!);
  try {
    const r = a.connect(fd, 'fe80::1%lo', 9);
    assert.equal(typeof r, 'string');
    assert.throws(() => a.connect(fd, 'fe80::1%nosuchif0', 9), /connect\(fd, address, port\)/);
    assert.throws(() => a.connect(fd, '198.51.100.300', 9), /connect\(fd, address, port\)/);
  } finally {
    a.close(fd);
  }
});

test('a watch handle dropped without unwatch is collected and its poller stops (finalizer)', { skip }, () => {
  // In a child with --expose-gc: a UDP socket with a datagram waiting is readable at every loop
  // turn; a live watch would call back each time. Drop the handle, collect it, and count calls.
  const script = `
    const a = require(${JSON.stringify(ADDON)}); const c = a.constants;
    const udp = () => { const fd = a.socket(c.AF_INET, c.SOCK_DGRAM, c.IPPROTO_UDP); a.bind(fd, '127.0.0.1', 0); return fd; };
    const fd = udp(), fd2 = udp();
    let calls = 0, kept = 0;
    (() => { a.watch(fd, c.UV_READABLE, () => { calls++; }); })();
    const keep = a.watch(fd2, c.UV_READABLE, () => { kept++; });
    const tx = require('dgram').createSocket('udp4');
    tx.send('x', a.sockname(fd2).port, '127.0.0.1');
    tx.send('x', a.sockname(fd).port, '127.0.0.1', async () => {
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
      const before = calls; kept = 0;
      await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify({ after: calls - before, kept }));
      a.unwatch(keep); a.close(fd); a.close(fd2); process.exit(0);
    });
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 10_000 })) as { after: number; kept: number };
  assert.equal(out.after, 0, 'the dropped handle still polls');
  assert.ok(out.kept > 0, 'the kept handle polls (the test can see polling at all)');
});
