import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, classifyErrno, fromNative, fromNativeResult, icmpName, watchAfter, type TcpDeps } from './tcp.js';
import { parseSnmp6DestUnreach, parseSnmpDestUnreach } from './icmp-counters.js';
import { probeContext } from './types.js';
import { closedPort, tcpServer } from './test-servers.js';
import type { NativeApi, NativeTcpResult } from '../native/api.js';
import { loadNative, nativeUnavailable } from '../native/index.js';
import type { Observation, ObservationData } from '../model/observation.js';

type C = ObservationData['tcp.connect'];
/** No native module; ICMP counters that never move (so loopback runs are not disturbed by other tests' ICMP). */
const still: TcpDeps = { native: async () => null, icmpCount: async () => 7 };
const nativeSkip = loadNative() ? false : (nativeUnavailable() ?? 'unavailable');

async function connect(port: number, deps: TcpDeps = still, over: { address?: string; afterMs?: number } = {}): Promise<{ d: C; rest: Observation[] }> {
  const [o, ...rest] = await run({ address: over.address ?? '127.0.0.1', port, afterMs: over.afterMs ?? 300 }, probeContext(2000), deps);
  assert.equal(o?.kind, 'tcp.connect');
  return { d: o!.data as C, rest };
}

test('open, and quiet when the server says nothing', async () => {
  const srv = await tcpServer(() => {});
  try {
    const { d, rest } = await connect(srv.port);
    assert.equal(d.outcome, 'open');
    assert.equal(d.family, 4);
    assert.equal(d.after?.event, 'quiet');
    assert.equal(d.errno, undefined);
    assert.deepEqual(rest, []);
  } finally {
    await srv.close();
  }
});

test('open on ::1, with a banner counted in bytes', async () => {
  const srv = await tcpServer((s) => s.write('SSH-2.0-x\r\n'), '::1');
  try {
    const { d } = await connect(srv.port, still, { address: '::1' });
    assert.equal(d.outcome, 'open');
    assert.equal(d.family, 6);
    assert.deepEqual({ ...d.after, ms: 0 }, { event: 'data', bytes: 11, ms: 0 });
  } finally {
    await srv.close();
  }
});

test('reset right after accept: a RST seen after the handshake', async () => {
  const srv = await tcpServer((s) => s.resetAndDestroy());
  try {
    const { d } = await connect(srv.port);
    // The RST may beat node's connect event; either way the probe names it.
    assert.ok((d.outcome === 'open' && d.after?.event === 'rst') || d.outcome === 'reset', JSON.stringify(d));
  } finally {
    await srv.close();
  }
});

test('closed right after accept: a FIN', async () => {
  const srv = await tcpServer((s) => s.end());
  try {
    const { d } = await connect(srv.port);
    assert.equal(d.outcome, 'open');
    assert.equal(d.after?.event, 'fin');
  } finally {
    await srv.close();
  }
});

test('afterMs 0: no after-connect watch', async () => {
  const srv = await tcpServer(() => {});
  try {
    assert.equal((await connect(srv.port, still, { afterMs: 0 })).d.after, undefined);
  } finally {
    await srv.close();
  }
});

test('refused: RST when the ICMP counters did not move', async () => {
  const { d, rest } = await connect(await closedPort());
  assert.equal(d.outcome, 'refused');
  assert.equal(d.errno, 'ECONNREFUSED');
  assert.equal(d.icmp, undefined);
  assert.deepEqual(rest, []);
});

test('refused with an ICMP counted during the connect: rejected (sender unknown without the native module)', async () => {
  let n = 0;
  const { d } = await connect(await closedPort(), { native: async () => null, icmpCount: async () => n++ });
  assert.equal(d.outcome, 'rejected');
  assert.equal(d.errno, 'ECONNREFUSED');
  assert.equal(d.icmp, undefined);
});

test('refused with unreadable counters: refused, and the ambiguity is a check.unknown', async () => {
  const { d, rest } = await connect(await closedPort(), { native: async () => null, icmpCount: async () => null });
  assert.equal(d.outcome, 'refused');
  assert.equal(rest.length, 1);
  assert.equal(rest[0]!.kind, 'check.unknown');
  assert.match((rest[0]!.data as ObservationData['check.unknown']).reason, /^ECONNREFUSED is a RST .* or an ICMP port-unreachable/);
});

function fakeNative(r: Partial<NativeTcpResult>): TcpDeps {
  const api: NativeApi = {
    tcpConnect: async () => ({ outcome: 'refused', errno: null, icmp: null, ms: 0.2, tcpInfo: null, ...r }),
    icmpEcho: async () => ({ outcome: 'timeout', from: null, rttMs: null, icmp: null, errno: null }),
  };
  return { native: async () => api, icmpCount: async () => 0 };
}

test('with the native module: its answer to the first SYN decides; its watch of the open connection is the after-connect answer (no second connection)', async () => {
  const icmp = { type: 3, code: 3, from: '198.51.100.1', name: 'port-unreachable' };
  const port = await closedPort();
  const rej = await connect(port, fakeNative({ outcome: 'icmp', errno: 'ECONNREFUSED', icmp }));
  assert.deepEqual([rej.d.outcome, rej.d.errno, rej.d.icmp, rej.rest], ['rejected', 'ECONNREFUSED', icmp, []]);
  assert.deepEqual([(await connect(port, fakeNative({ outcome: 'refused', errno: 'ECONNREFUSED' }))).d.outcome], ['refused']);
  const silent = await connect(port, fakeNative({ outcome: 'timeout' }));
  assert.deepEqual([silent.d.outcome, silent.rest], ['filtered', []]);
  const srv = await tcpServer((s) => s.write('220 ready\r\n'));
  try {
    let asked: Parameters<NativeApi['tcpConnect']>[0] | undefined;
    const api: NativeApi = {
      tcpConnect: async (o) => {
        asked = o;
        return { outcome: 'open', errno: null, icmp: null, ms: 0.4, tcpInfo: null, after: { event: 'data', ms: 3, bytes: 11 } };
      },
      icmpEcho: async () => assert.fail('unused'),
    };
    const open = await connect(srv.port, { native: async () => api, icmpCount: async () => 0 });
    assert.deepEqual([open.d.outcome, open.d.ms, open.d.after], ['open', 0.4, { event: 'data', ms: 3, bytes: 11 }]);
    assert.deepEqual(asked?.after, { minMs: 50, rtts: 5, maxMs: 300, maxBytes: 4096 });
    assert.equal(srv.accepted(), 0, 'the module watched its own connection; the probe made none');
    await connect(srv.port, { native: async () => api, icmpCount: async () => 0 }, { afterMs: 0 });
    assert.equal(asked?.after, undefined, 'afterMs 0: no watch asked for');
  } finally {
    await srv.close();
  }
});

test('a native module that throws: the socket path answers', async () => {
  const api: NativeApi = { tcpConnect: async () => Promise.reject(new Error('boom')), icmpEcho: async () => assert.fail('unused') };
  const { d } = await connect(await closedPort(), { native: async () => api, icmpCount: async () => 1 });
  assert.equal(d.outcome, 'refused');
});

test('errno and ICMP classification tables', () => {
  assert.deepEqual(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPERM', 'EADDRNOTAVAIL'].map(classifyErrno), [
    'refused',
    'unreachable',
    'unreachable',
    'filtered',
    'reset',
    'rejected',
    'error',
  ]);
  const r = (icmp: { type: number; code: number }, fam: 4 | 6 = 4) => fromNative(fam, { outcome: 'icmp', errno: null, ms: 1, tcpInfo: null, icmp: { ...icmp, from: '198.51.100.1', name: '?' } });
  assert.deepEqual(r({ type: 3, code: 13 }), { outcome: 'rejected', icmp: { type: 3, code: 13, from: '198.51.100.1', name: 'admin-prohibited' } });
  assert.equal(r({ type: 3, code: 1 })?.outcome, 'unreachable');
  assert.equal(r({ type: 3, code: 10 })?.outcome, 'rejected');
  assert.equal(r({ type: 1, code: 1 }, 6)?.outcome, 'rejected');
  assert.equal(r({ type: 1, code: 4 }, 6)?.icmp?.name, 'port-unreachable');
  assert.equal(r({ type: 1, code: 3 }, 6)?.outcome, 'unreachable');
  assert.equal(icmpName(4, { type: 11, code: 0, name: '?' }), 'time-exceeded');
  assert.equal(fromNative(4, { outcome: 'timeout', errno: null, icmp: null, ms: 1, tcpInfo: null }), null);
  const nr = (r: Partial<NativeTcpResult>) => fromNativeResult(4, { outcome: 'error', errno: null, icmp: null, ms: 1, tcpInfo: null, ...r });
  assert.deepEqual(nr({ outcome: 'error', errno: 'ENETUNREACH' }), { outcome: 'unreachable', errno: 'ENETUNREACH' });
  assert.deepEqual(nr({ outcome: 'error', errno: 'EPERM' }), { outcome: 'rejected', errno: 'EPERM' });
  assert.deepEqual(nr({ outcome: 'icmp', errno: 'EHOSTUNREACH' }), { outcome: 'unreachable', errno: 'EHOSTUNREACH' });
  assert.deepEqual(nr({ outcome: 'refused' }), { outcome: 'refused', errno: 'ECONNREFUSED' });
});

test('an already-aborted budget: filtered (no answer within the budget), no errno invented', async () => {
  const srv = await tcpServer(() => {});
  try {
    const ac = new AbortController();
    ac.abort();
    const [o] = await run({ address: '127.0.0.1', port: srv.port, afterMs: 100 }, probeContext(2000, ac.signal), still);
    const d = o!.data as C;
    assert.equal(d.outcome, 'filtered');
    assert.equal(d.errno, undefined);
  } finally {
    await srv.close();
  }
});

test('a non-IP address is an error, nothing sent', async () => {
  const { d } = await connect(80, still, { address: 'app.lab.test' });
  assert.deepEqual([d.outcome, d.errno], ['error', 'EINVAL']);
});

test('ICMP counters from /proc text', () => {
  const snmp = 'Ip: Forwarding DefaultTTL\nIp: 2 64\nIcmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds\nIcmp: 347 0 0 3 0\nIcmpMsg: InType3\nIcmpMsg: 3\n';
  assert.equal(parseSnmpDestUnreach(snmp), 3);
  assert.equal(parseSnmpDestUnreach('garbage'), null);
  assert.equal(parseSnmpDestUnreach('Icmp: InMsgs\nIcmp: 1\n'), null);
  assert.equal(parseSnmp6DestUnreach('Icmp6InMsgs  5\nIcmp6InDestUnreachs             \t12\nIcmp6OutMsgs 1\n'), 12);
  assert.equal(parseSnmp6DestUnreach(''), null);
});

test('watchAfter: a RST that arrived while this process was not running is seen, not called quiet', { timeout: 10_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  // The server lives in another process, so it resets while this one is busy.
  const child = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer(c=>{c.on('error',()=>{});setTimeout(()=>c.resetAndDestroy(),50)});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  try {
    const port = await new Promise<number>((res) => child.stdout.once('data', (d: Buffer) => res(Number(String(d).trim()))));
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((res) => sock.once('connect', () => res()));
    const watching = watchAfter(sock, 20, new AbortController().signal);
    // Not scheduled for 300 ms (a loaded machine): the 20 ms timer and the RST (sent 50 ms after the
    // accept) are both due when it runs again.
    const until = performance.now() + 300;
    while (performance.now() < until);
    assert.equal((await watching).event, 'rst');
  } finally {
    child.kill();
  }
});

test(
  'with the native module: a server that resets right after accept while this process is not scheduled is TCP-004 evidence, not a quiet open port',
  { skip: nativeSkip, timeout: 10_000 },
  async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', "const s=require('net').createServer(c=>{c.on('error',()=>{});c.resetAndDestroy()});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const port = await new Promise<number>((res) => child.stdout.once('data', (d: Buffer) => res(Number(String(d).trim()))));
      const running = connect(port, { native: async () => loadNative(), icmpCount: async () => 0 });
      // This process is not scheduled while the server accepts and resets (a loaded machine): the
      // handshake and the RST are both in when it runs again.
      setImmediate(() => {
        const until = performance.now() + 200;
        while (performance.now() < until);
      });
      const { d } = await running;
      assert.ok((d.outcome === 'open' && d.after?.event === 'rst') || (d.outcome === 'reset' && d.errno === 'ECONNRESET'), JSON.stringify(d));
    } finally {
      child.kill();
    }
  },
);
