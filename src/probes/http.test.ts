import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { run } from './http.js';
import { probeContext } from './types.js';
import { certFile, closedPort, tcpServer } from './test-servers.js';
import type { ObservationData } from '../model/observation.js';

type R = ObservationData['http.response'];

async function serve(handler: http.RequestListener, secure = false): Promise<{ port: number; close: () => Promise<void>; hosts: string[] }> {
  const hosts: string[] = [];
  const wrapped: http.RequestListener = (req, res) => {
    hosts.push(req.headers.host ?? '');
    handler(req, res);
  };
  const srv = secure ? https.createServer({ key: certFile('leaf.key'), cert: certFile('chain.pem') }, wrapped) : http.createServer(wrapped);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as net.AddressInfo).port,
    hosts,
    close: async () => {
      srv.closeAllConnections();
      srv.close();
    },
  };
}

async function get(url: string, budget = 2000): Promise<R> {
  const [o] = await run({ url, address: '127.0.0.1', servername: 'app.lab.test' }, probeContext(budget));
  assert.equal(o?.kind, 'http.response');
  return o!.data as R;
}

test('a redirect: status, Location, Date, Server; the URL’s host goes in Host', async () => {
  const srv = await serve((_req, res) => {
    res.writeHead(301, { Location: 'https://app.lab.test/', Server: 'nginx/1.22.1', Date: 'Thu, 26 Nov 2026 18:00:00 GMT' });
    res.end();
  });
  try {
    const d = await get(`http://app.lab.test:${srv.port}/path?q=1`);
    assert.deepEqual(
      { ...d, ms: 0 },
      {
        url: `http://app.lab.test:${srv.port}/path?q=1`,
        outcome: 'response',
        status: 301,
        location: 'https://app.lab.test/',
        date: 'Thu, 26 Nov 2026 18:00:00 GMT',
        server: 'nginx/1.22.1',
        ms: 0,
        body: { bytes: 0, complete: true },
      },
    );
    assert.deepEqual(srv.hosts, [`app.lab.test:${srv.port}`]);
  } finally {
    await srv.close();
  }
});

test('https with an untrusted certificate still gives the response (TLS judges certificates)', async () => {
  const srv = await serve((_req, res) => res.writeHead(503).end('down'), true);
  try {
    const d = await get(`https://app.lab.test:${srv.port}/`);
    assert.deepEqual([d.outcome, d.status], ['response', 503]);
  } finally {
    await srv.close();
  }
});

test('an endless body is not read', async () => {
  const srv = await serve((_req, res) => {
    res.writeHead(200);
    const pump = (): void => {
      while (!res.destroyed && res.write(Buffer.alloc(65536)));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  try {
    assert.equal((await get(`http://app.lab.test:${srv.port}/`)).status, 200);
  } finally {
    await srv.close();
  }
});

test('no response within the budget: timeout', async () => {
  const srv = await tcpServer(() => {});
  try {
    const d = await get(`http://app.lab.test:${srv.port}/`, 200);
    assert.equal(d.outcome, 'timeout');
    assert.match(d.error ?? '', /no response within 200 ms/);
  } finally {
    await srv.close();
  }
});

test('refused, garbage and oversized headers are errors with the code', async () => {
  assert.deepEqual(await get(`http://app.lab.test:${await closedPort()}/`).then((d) => [d.outcome, d.error]), ['error', 'ECONNREFUSED']);
  const garbage = await tcpServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'));
  const huge = await tcpServer((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`));
  try {
    const g = await get(`http://app.lab.test:${garbage.port}/`);
    assert.equal(g.outcome, 'error');
    assert.match(g.error ?? '', /^HPE_/);
    const h = await get(`http://app.lab.test:${huge.port}/`);
    assert.deepEqual([h.outcome, h.error], ['error', 'HPE_HEADER_OVERFLOW']);
  } finally {
    await garbage.close();
    await huge.close();
  }
});

test('a URL that is not http(s) is an error value', async () => {
  assert.equal((await get('ftp://app.lab.test/')).outcome, 'error');
});

test('the body: read to its end (or 64 KiB); a body that stops after the first bytes is stalled', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/small') return res.end('hello\n');
    if (req.url === '/big') return res.end(Buffer.alloc(200_000, 0x61));
    res.writeHead(200, { 'Content-Length': '100000' });
    res.write(Buffer.alloc(1000, 0x61)); // …and nothing more
  });
  try {
    assert.deepEqual((await get(`http://app.lab.test:${srv.port}/small`)).body, { bytes: 6, complete: true, length: 6 });
    const big = (await get(`http://app.lab.test:${srv.port}/big`)).body;
    assert.equal(big?.complete, true);
    assert.ok(big!.bytes >= 64 * 1024, `${big!.bytes}`);
    const stall = await get(`http://app.lab.test:${srv.port}/stall`, 600);
    assert.equal(stall.outcome, 'response');
    assert.equal(stall.status, 200);
    assert.deepEqual(stall.body, { bytes: 1000, complete: false, stalled: true });
  } finally {
    await srv.close();
  }
});
