import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { run, queryAll } from './dns.js';
import { probeContext } from './types.js';
import { closedPort, dnsServer, reply } from './test-servers.js';
import type { Observation, ObservationData } from '../model/observation.js';

const data = (obs: Observation[]): ObservationData['dns.query'] => {
  assert.equal(obs.length, 1);
  const o = obs[0]!;
  assert.equal(o.kind, 'dns.query');
  return o.data as ObservationData['dns.query'];
};
const A = (name: string, address: string, ttl = 300) => ({ type: 'A' as const, name, ttl, class: 'IN' as const, data: address });

test('an answer: rcode, A records with TTL, the CNAME chain; the query has RD set and a fresh id', async () => {
  const srv = await dnsServer((q) =>
    reply(q, {
      answers: [
        { type: 'CNAME', name: 'app.lab.test', ttl: 60, class: 'IN', data: 'edge.lab.test' },
        { type: 'CNAME', name: 'edge.lab.test', ttl: 60, class: 'IN', data: 'node1.lab.test' },
        A('node1.lab.test', '198.51.100.10', 120),
        A('node1.lab.test', '198.51.100.11', 120),
      ],
    }),
  );
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(2000)));
    assert.equal(d.outcome, 'answer');
    assert.equal(d.rcode, 'NOERROR');
    assert.equal(d.transport, 'udp');
    assert.deepEqual(d.answers, [
      { address: '198.51.100.10', ttl: 120 },
      { address: '198.51.100.11', ttl: 120 },
    ]);
    assert.deepEqual(d.cnames, ['edge.lab.test', 'node1.lab.test']);
    assert.equal(d.truncated, false);
    assert.equal(d.error, undefined);
    assert.ok(d.ms >= 0);
    const q = srv.queries[0]!.packet;
    assert.equal(q.flag_rd, true);
    assert.equal(q.questions?.[0]?.name, 'app.lab.test');
    assert.equal(q.additionals?.length ?? 0, 0, 'no EDNS unless asked');
  } finally {
    await srv.close();
  }
});

test('EDNS on request adds an OPT record', async () => {
  const srv = await dnsServer((q) => reply(q));
  try {
    await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'AAAA', edns: true }, probeContext(2000));
    assert.equal(srv.queries[0]!.packet.additionals?.[0]?.type, 'OPT');
  } finally {
    await srv.close();
  }
});

test('NXDOMAIN and SERVFAIL are answers with their rcode', async () => {
  for (const [rcode, name] of [
    [3, 'NXDOMAIN'],
    [2, 'SERVFAIL'],
    [5, 'REFUSED'],
  ] as const) {
    const srv = await dnsServer((q) => reply(q, { rcode }));
    try {
      const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'missing.lab.test', qtype: 'A' }, probeContext(2000)));
      assert.equal(d.outcome, 'answer');
      assert.equal(d.rcode, name);
      assert.deepEqual(d.answers, []);
    } finally {
      await srv.close();
    }
  }
});

test('a silent resolver is a timeout when the budget ends', async () => {
  const srv = await dnsServer(() => null);
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(150)));
    assert.equal(d.outcome, 'timeout');
    assert.match(d.error ?? '', /no answer within 150 ms/);
  } finally {
    await srv.close();
  }
});

test('a closed UDP port (ICMP port-unreachable) is unreachable', async () => {
  const port = await closedPort('127.0.0.1', 'udp');
  const d = data(await run({ server: '127.0.0.1', port, name: 'app.lab.test', qtype: 'A' }, probeContext(2000)));
  assert.equal(d.outcome, 'unreachable');
  assert.equal(d.error, 'ECONNREFUSED');
});

test('IPv6 resolver on ::1', async () => {
  const srv = await dnsServer((q) => reply(q, { answers: [{ type: 'AAAA', name: 'app.lab.test', ttl: 30, class: 'IN', data: '2001:db8::10' }] }), '::1');
  try {
    const d = data(await run({ server: '::1', port: srv.port, name: 'app.lab.test', qtype: 'AAAA' }, probeContext(2000)));
    assert.equal(d.outcome, 'answer');
    assert.deepEqual(d.answers, [{ address: '2001:db8::10', ttl: 30 }]);
  } finally {
    await srv.close();
  }
});

test('garbage is an error with a message, at once', async () => {
  const srv = await dnsServer(() => randomBytes(40));
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(5000)));
    assert.equal(d.outcome, 'error');
    assert.match(d.error ?? '', /malformed DNS reply|does not match|another question|not a response/);
  } finally {
    await srv.close();
  }
});

test('a reply with a wrong id is ignored; the right one after it counts', async () => {
  const srv = await dnsServer((q) => [reply(q, { id: ((q.id ?? 0) + 1) % 65536, answers: [A('app.lab.test', '203.0.113.66')] }), reply(q, { answers: [A('app.lab.test', '198.51.100.10')] })]);
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(2000)));
    assert.equal(d.outcome, 'answer');
    assert.deepEqual(d.answers, [{ address: '198.51.100.10', ttl: 300 }]);
  } finally {
    await srv.close();
  }
});

test('only wrong-id replies: an error naming them when the budget ends', async () => {
  const srv = await dnsServer((q) => reply(q, { id: ((q.id ?? 0) + 1) % 65536 }));
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(150)));
    assert.equal(d.outcome, 'error');
    assert.match(d.error ?? '', /ignored: reply id \d+ does not match/);
  } finally {
    await srv.close();
  }
});

test('a reply to another question is an error', async () => {
  const srv = await dnsServer((q) => reply({ ...q, questions: [{ type: 'A', name: 'other.lab.test', class: 'IN' }] }));
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(2000)));
    assert.equal(d.outcome, 'error');
    assert.match(d.error ?? '', /another question \(other\.lab\.test A\)/);
  } finally {
    await srv.close();
  }
});

test('TC set: the probe retries over TCP and reports the full answer', async () => {
  const many = Array.from({ length: 300 }, (_, i) => A('big.lab.test', `198.51.100.${i % 250}`));
  const srv = await dnsServer((q, transport) => (transport === 'udp' ? reply(q, { tc: true }) : reply(q, { answers: many })));
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'big.lab.test', qtype: 'A' }, probeContext(2000)));
    assert.equal(d.outcome, 'answer');
    assert.equal(d.transport, 'tcp');
    assert.equal(d.truncated, true);
    assert.equal(d.answers.length, 100, 'answers are capped');
    assert.deepEqual(
      srv.queries.map((q) => q.transport),
      ['udp', 'tcp'],
    );
  } finally {
    await srv.close();
  }
});

test('TC set but TCP garbage: keeps the UDP answer and says why TCP did not help', async () => {
  const srv = await dnsServer((q, transport) => (transport === 'udp' ? reply(q, { tc: true, answers: [A('big.lab.test', '198.51.100.1')] }) : randomBytes(30)));
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'big.lab.test', qtype: 'A' }, probeContext(2000)));
    assert.equal(d.outcome, 'answer');
    assert.equal(d.transport, 'udp');
    assert.equal(d.truncated, true);
    assert.deepEqual(d.answers, [{ address: '198.51.100.1', ttl: 300 }]);
    assert.match(d.error ?? '', /^truncated over UDP; TCP retry failed: /);
  } finally {
    await srv.close();
  }
});

test('a huge UDP reply (2000 records, ~56 KB) decodes with the answers capped', async () => {
  const many = Array.from({ length: 2000 }, (_, i) => A('app.lab.test', `198.51.100.${i % 250}`));
  const srv = await dnsServer((q) => reply(q, { answers: many }));
  try {
    const d = data(await run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(2000)));
    assert.equal(d.outcome, 'answer');
    assert.equal(d.answers.length, 100);
  } finally {
    await srv.close();
  }
});

test('a resolver that is not an IP literal is an error, no packet sent', async () => {
  const d = data(await run({ server: 'resolver.lab.test', name: 'app.lab.test', qtype: 'A' }, probeContext(2000)));
  assert.equal(d.outcome, 'error');
  assert.match(d.error ?? '', /is not an IP address/);
});

test('queryAll: A and AAAA against every server, in parallel, in server order', async () => {
  const good = await dnsServer((q) => reply(q, { answers: q.questions?.[0]?.type === 'A' ? [A('app.lab.test', '198.51.100.10')] : [] }));
  const silent = await dnsServer(() => null);
  try {
    const obs = await queryAll(
      [
        { server: '127.0.0.1', port: good.port },
        { server: '127.0.0.1', port: silent.port },
      ],
      'app.lab.test',
      probeContext(300),
    );
    const rows = obs.map((o) => o.data as ObservationData['dns.query']).map((d) => `${d.port === good.port ? 'good' : 'silent'} ${d.qtype} ${d.outcome}`);
    assert.deepEqual(rows, ['good A answer', 'good AAAA answer', 'silent A timeout', 'silent AAAA timeout']);
  } finally {
    await good.close();
    await silent.close();
  }
});

test('an aborted context ends the query as a timeout without waiting', async () => {
  const srv = await dnsServer(() => null);
  try {
    const ac = new AbortController();
    const p = run({ server: '127.0.0.1', port: srv.port, name: 'app.lab.test', qtype: 'A' }, probeContext(60_000, ac.signal));
    ac.abort();
    assert.equal(data(await p).outcome, 'timeout');
  } finally {
    await srv.close();
  }
});
