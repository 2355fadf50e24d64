/**
 * End-to-end: the real CLI (bin/netdx.js) against real servers on loopback. Root-namespace safe:
 * only 127.0.0.1 literals are probed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfSigned } from './testing.js';
import { ReportSchema, contractViolations, type Report } from '../model/report.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'netdx-e2e-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function report(args: string[]): Promise<{ code: number; r: Report }> {
  const { code, stdout, stderr } = await cli(['diagnose', '--json', ...args]);
  assert.ok(stdout.length > 0, `no JSON on stdout (stderr: ${stderr})`);
  const r = ReportSchema.parse(JSON.parse(stdout));
  assert.deepEqual(contractViolations(r), []);
  return { code, r };
}

const servers: net.Server[] = [];
function listen(s: net.Server): Promise<number> {
  servers.push(s);
  return new Promise((res) => s.listen(0, '127.0.0.1', () => res((s.address() as net.AddressInfo).port)));
}
let ports: Record<string, number> = {};
let closedPort = 0;

before(async () => {
  selfSigned(dir, { cn: 'srv.lab.test', san: 'DNS:srv.lab.test,IP:127.0.0.1', days: 30, keyFile: 'k.pem', certFile: 'c.pem' });
  const key = readFileSync(join(dir, 'k.pem'));
  const cert = readFileSync(join(dir, 'c.pem'));
  writeFileSync(join(dir, 'not.pem'), 'not a certificate\n');
  ports = {
    open: await listen(net.createServer((c) => c.on('error', () => {}))),
    reset: await listen(
      net.createServer((c) => {
        c.on('error', () => {});
        c.resetAndDestroy();
      }),
    ),
    ssh: await listen(
      net.createServer((c) => {
        c.on('error', () => {});
        c.write('SSH-2.0-OpenSSH_9.2p1 lab\r\n');
      }),
    ),
    tls: await listen(tls.createServer({ key, cert }, (c) => c.on('error', () => {}))),
    // hostile servers
    endless: await listen(
      net.createServer((c) => {
        c.on('error', () => {});
        const spew = (): void => void (c.destroyed || c.write('X'.repeat(16384), () => setImmediate(spew)));
        spew();
      }),
    ),
    garbage: await listen(
      net.createServer((c) => {
        c.on('error', () => {});
        c.once('data', () => c.write(Buffer.from([0x16, 0x03, 0x03, 0xff, 0xff, 1, 2, 3, 4, 5])));
      }),
    ),
    hugeChain: await listen(tls.createServer({ key, cert: Buffer.concat([cert, ...Array.from({ length: 1700 }, () => cert)]) }, (c) => c.on('error', () => {}))),
  };
  const probe = net.createServer();
  closedPort = await listen(probe);
  probe.close();
  servers.pop();
});
after(() => {
  for (const s of servers) s.close();
});

test('healthy TCP service: ok, exit 0', async () => {
  const { code, r } = await report([`127.0.0.1:${ports.open}`]);
  assert.equal(r.verdict, 'ok');
  assert.equal(code, 0);
});

test('nothing listens: TCP-001, exit 2', async () => {
  const { code, r } = await report([`127.0.0.1:${closedPort}`]);
  assert.equal(r.primary?.code, 'TCP-001');
  assert.equal(code, 2);
});

test('reset right after accept: TCP-004', async () => {
  const { r } = await report([`127.0.0.1:${ports.reset}`]);
  assert.equal(r.primary?.code, 'TCP-004');
});

test('TLS expected, SSH answers: TLS-010 with the banner in the evidence', async () => {
  const { r } = await report([`tls://127.0.0.1:${ports.ssh}`]);
  assert.equal(r.primary?.code, 'TLS-010');
  assert.match(JSON.stringify(r.primary?.evidence), /SSH-2\.0-OpenSSH/);
});

test('TLS with the right CA: ok, expiring in 30 days gives only the TLS-008 warning', async () => {
  const { code, r } = await report([`tls://127.0.0.1:${ports.tls}`, '--ca', join(dir, 'c.pem'), '--sni', 'srv.lab.test', '--warn-days', '10']);
  assert.equal(r.verdict, 'ok', JSON.stringify(r.findings));
  assert.equal(code, 0);
  const { r: r2, code: c2 } = await report([`tls://127.0.0.1:${ports.tls}`, '--ca', join(dir, 'c.pem'), '--sni', 'srv.lab.test', '--warn-days', '60']);
  assert.equal(r2.verdict, 'degraded');
  assert.equal(r2.primary, null);
  assert.ok(r2.findings.some((f) => f.code === 'TLS-008' && f.severity === 'warning'));
  assert.equal(c2, 1);
});

test('TLS self-signed without --ca: TLS-004', async () => {
  const { r } = await report([`tls://127.0.0.1:${ports.tls}`, '--sni', 'srv.lab.test']);
  assert.equal(r.primary?.code, 'TLS-004');
});

test('TLS wrong name: TLS-003', async () => {
  const { r } = await report([`tls://127.0.0.1:${ports.tls}`, '--ca', join(dir, 'c.pem'), '--sni', 'other.lab.test']);
  assert.equal(r.primary?.code, 'TLS-003');
});

test('TLS pin mismatch: TLS-011', async () => {
  const { r } = await report([`tls://127.0.0.1:${ports.tls}`, '--ca', join(dir, 'c.pem'), '--sni', 'srv.lab.test', '--pin', 'sha256:' + '00'.repeat(32)]);
  assert.equal(r.primary?.code, 'TLS-011');
});

for (const [name, port] of [
  ['an endless banner', 'endless'],
  ['garbage that looks like a TLS record', 'garbage'],
  ['a 1 MB certificate chain', 'hugeChain'],
] as const) {
  test(`hostile server (${name}): a bounded diagnosis with a TLS-layer result, no crash`, async () => {
    const t0 = Date.now();
    const { r, code } = await report([`tls://127.0.0.1:${ports[port]}`, '--timeout', '5s']);
    assert.ok(Date.now() - t0 < 8000);
    // never ok: a finding (exit 2) or "could not judge" (exit 3, decision 010)
    assert.ok([2, 3].includes(code), `exit ${code}`);
    assert.notEqual(r.verdict, 'ok');
    const tlsRow = r.layers.find((l) => l.layer === 'tls');
    assert.ok(tlsRow && ['fail', 'unknown'].includes(tlsRow.status), JSON.stringify(tlsRow));
  });
}

const usage: Array<[string[], number, RegExp]> = [
  [['diagnose', ':::bad'], 64, /^netdx: target ':::bad': not a host or IPv6 address/],
  [['diagnose', '127.0.0.1:1', '--bogus'], 64, /^netdx: unknown option '--bogus'/],
  [['diagnose'], 64, /^netdx: missing required argument 'target'/],
  [['diagnose', 'tls://127.0.0.1:1', '--ca', '/nonexistent/ca.pem'], 3, /^netdx: --ca '\/nonexistent\/ca.pem': cannot read \(ENOENT\)/],
  [['diagnose', 'tls://127.0.0.1:1', '--ca', join(dir, 'not.pem')], 64, /not a PEM certificate file/],
  [['diagnose', 'tls://127.0.0.1:1', '--pin', 'abc'], 64, /^netdx: --pin 'abc': expected sha256/],
  [['frobnicate'], 64, /^netdx: unknown command 'frobnicate'/],
];
for (const [args, code, re] of usage) {
  test(`bad input ${JSON.stringify(args)} → one line on stderr, exit ${code}`, async () => {
    const r = await cli(args);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  });
}

test('markdown and zh text renderings', async () => {
  const md = await cli(['diagnose', `127.0.0.1:${closedPort}`, '--format', 'markdown']);
  assert.match(md.stdout, /^# netdx diagnose 127\.0\.0\.1:/);
  assert.match(md.stdout, /TCP-001 port-closed/);
  const zh = await cli(['diagnose', `127.0.0.1:${closedPort}`, '--lang', 'zh']);
  assert.match(zh.stdout, /故障/);
  assert.match(zh.stdout, /根本原因/);
  assert.ok(!zh.stdout.includes('\u001b['), 'no colour when piped / NO_COLOR');
});
