/**
 * `--lang zh` (or LANG=zh_CN.UTF-8) speaks Chinese in every command, not only diagnose: each case
 * runs the real CLI (offline inputs, or loopback servers this test starts) and every line it prints,
 * on stdout and on stderr, must hold no English prose (englishProse of rules/zh-fixtures.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { englishProse } from '../rules/zh-fixtures.js';
import { labRoutesSnapshot, labSnapshot } from '../analyze/test-fixtures.js';
import { renderTable } from '../lab/table.js';
import { totals, type RunRecord } from '../lab/evaluate.js';
import { renderFleetDemo } from './lab.js';
import { lookupFailedText } from './trace.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const FIX = fileURLToPath(new URL('../../src/pcap/fixtures/', import.meta.url));
const ZH_ENV = { ...process.env, NO_COLOR: '1', LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' };
const EN_ENV = { ...process.env, NO_COLOR: '1', LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' };

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = ZH_ENV, stdin?: Buffer): Promise<Out> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (stdin) child.stdin!.end(stdin);
    else child.stdin!.end();
  });
}

/**
 * The lines of a text holding English prose, each with its offending pieces. Placeholders of the
 * fault manual's templates ({dev}) are not prose; in help text (`--help`, and the usage a bare
 * `netdx` prints) neither are commander's argument placeholders (<target>, [code], <cmd...>): they
 * name what the user types, like an option name.
 */
function prose(text: string, help = false): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let l = line.replace(/\{\w+\}/g, ' ');
    if (help) l = l.replace(/<[^<>\s]+>|\[[\w.-]+\]/g, ' ');
    const p = englishProse(l);
    if (p.length > 0) out.push(`  ${line.trim()}\n      → ${p.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  return out;
}

function assertZh(label: string, o: Out, help = false): void {
  const bad = [...prose(o.stdout, help).map((l) => `stdout ${l}`), ...prose(o.stderr, help).map((l) => `stderr ${l}`)];
  assert.ok(o.stdout.length + o.stderr.length > 0, `${label}: printed nothing`);
  assert.deepEqual(bad, [], `netdx ${label} printed English prose:\n${bad.join('\n')}`);
}

const dir = mkdtempSync(join(tmpdir(), 'ndx-zh-cmds-'));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const client = file('client.json', JSON.stringify(labSnapshot('a', 'client-output')));
const routes = file('routes.json', JSON.stringify(labRoutesSnapshot()));
const notJson = file('x.txt', 'hello');
const otherJson = file('o.json', '{"schema":"other"}');
const missing = join(dir, 'nope.json');
const badSnap = (() => {
  const snap = JSON.parse(JSON.stringify(labSnapshot('a'))) as { routes: { value: Array<{ family: number }> } };
  snap.routes.value[0]!.family = 5;
  return file('bad.json', JSON.stringify(snap));
})();

/** The client's snapshot with one more rule in iptables' OUTPUT chain (after `-o lo -j ACCEPT`): rules the analyzer cannot decide. */
const withRule = (name: string, rule: string): string =>
  file(`fw-${name}.json`, JSON.stringify(labSnapshot('a', 'client-output', (t, f) => (f === 'iptables' ? t.replace('-A OUTPUT -o lo -j ACCEPT', `-A OUTPUT -o lo -j ACCEPT\n${rule}`) : t))));
const undecidable: Array<[string, string]> = [
  ['unknown module', withRule('module', '-A OUTPUT -d 203.0.113.5/32 -m bogus --frob 1 -j DROP')],
  ['ipset not collected', withRule('set', '-A OUTPUT -m set --match-set blocked dst -j DROP')],
  ['statistic (probabilistic)', withRule('stat', '-A OUTPUT -d 203.0.113.5/32 -m statistic --mode random --probability 0.5 -j DROP')],
  ['limit and owner', withRule('limit', '-A OUTPUT -d 203.0.113.5/32 -m limit --limit 5/s -j ACCEPT\n-A OUTPUT -m owner --uid-owner 1000 -j DROP')],
  ['NFQUEUE decides', withRule('queue', '-A OUTPUT -d 203.0.113.5/32 -j NFQUEUE --queue-num 1')],
  ['jump to a missing chain', withRule('nochain', '-A OUTPUT -d 203.0.113.5/32 -j NOSUCH')],
  ['packet length', withRule('length', '-A OUTPUT -d 203.0.113.5/32 -m length --length 100:200 -j DROP')],
  ['an unreadable line', withRule('garbage', 'this is not an iptables line')],
];
const fleetData = mkdtempSync(join(tmpdir(), 'ndx-zh-fleet-'));
const badYaml = file('targets-bad.yaml', 'targets: [\n');
const noTargets = file('targets-none.yaml', 'interval: 10s\n');

/** Offline cases: [label, argv]; `--lang zh` is appended unless the case relies on LANG. */
const OFFLINE: Array<[string, string[]]> = [
  ['faults', ['faults']],
  ['faults NET-001', ['faults', 'NET-001']],
  ['faults TLS-004', ['faults', 'TLS-004']],
  ['faults XYZ', ['faults', 'XYZ']],
  ['faults --bogus', ['faults', '--bogus']],
  ['faults --json --markdown', ['faults', '--json', '--markdown']],
  ['firewall check DROP', ['firewall', 'check', '--snapshot', client, '--proto', 'tcp', '--dst', '203.0.113.5', '--dport', '443']],
  ['firewall check ACCEPT', ['firewall', 'check', '--snapshot', client, '--dst', '203.0.113.5', '--dport', '80']],
  ['firewall check INPUT', ['firewall', 'check', '--snapshot', client, '--chain', 'INPUT', '--src', '203.0.113.5', '--dst', '198.51.100.1', '--dport', '22']],
  ['firewall check no --dst', ['firewall', 'check', '--snapshot', client, '--dport', '80']],
  ['firewall check bad proto', ['firewall', 'check', '--snapshot', client, '--dst', '203.0.113.5', '--proto', 'gre']],
  ['firewall check not JSON', ['firewall', 'check', '--snapshot', notJson, '--dst', '203.0.113.5', '--dport', '1']],
  ['firewall check unknown option', ['firewall', 'check', '--bogus']],
  ['firewall (no subcommand)', ['firewall', 'nope']],
  ['route explain via', ['route', 'explain', '100.64.20.5', '--snapshot', routes]],
  ['route explain mark', ['route', 'explain', '100.100.1.1', '--mark', '0x1', '--snapshot', routes]],
  ['route explain blackhole', ['route', 'explain', '100.64.10.1', '--snapshot', routes]],
  ['route explain other schema', ['route', 'explain', '198.51.100.1', '--snapshot', otherJson]],
  ['route explain bad dst', ['route', 'explain', 'not-an-ip', '--snapshot', routes]],
  ['route explain no dst', ['route', 'explain']],
  ['analyze', ['analyze', client, '--target', '203.0.113.5:443']],
  ['analyze markdown', ['analyze', client, '--target', '203.0.113.5:443', '--format', 'markdown']],
  ['analyze missing file', ['analyze', missing, '--target', '203.0.113.5']],
  ['analyze bad snapshot', ['analyze', badSnap, '--target', '203.0.113.5']],
  ['analyze no --target', ['analyze', client]],
  ['analyze bad target', ['analyze', client, '--target', 'http://[::1']],
  ['pcap tcp-002', ['pcap', join(FIX, 'lab-tcp-002.pcap')]],
  ['pcap tcp-003', ['pcap', join(FIX, 'lab-tcp-003.pcap')]],
  ['pcap tcp-006', ['pcap', join(FIX, 'lab-tcp-006.pcap')]],
  ['pcap dns', ['pcap', join(FIX, 'lab-dns.pcap')]],
  ['pcap dns-005', ['pcap', join(FIX, 'lab-dns-005.pcap')]],
  ['pcap net-002', ['pcap', join(FIX, 'lab-net-002.pcap')]],
  ['pcap net-004', ['pcap', join(FIX, 'lab-net-004.pcap')]],
  ['pcap net-009', ['pcap', join(FIX, 'lab-diagnose-net-009.pcap')]],
  ['pcap app-001', ['pcap', join(FIX, 'lab-app-001.pcap')]],
  ['pcap tls12 expired', ['pcap', join(FIX, 'lab-tls12-expired.pcap')]],
  ['pcap tls12 future', ['pcap', join(FIX, 'lab-tls12-future.pcap')]],
  ['pcap tls12 mtls', ['pcap', join(FIX, 'lab-tls12-mtls.pcap')]],
  ['pcap lo-tcp', ['pcap', join(FIX, 'lo-tcp.pcap')]],
  ['pcap lo-tls12', ['pcap', join(FIX, 'lo-tls12.pcap')]],
  ['pcap markdown', ['pcap', join(FIX, 'lab-tcp-003.pcap'), '--format', 'markdown']],
  ['pcap missing file', ['pcap', missing]],
  ['pcap not a capture', ['pcap', notJson]],
  ['pcap bad filter', ['pcap', join(FIX, 'lo-tcp.pcap'), '--filter', 'port banana']],
  ['trace bad count', ['trace', '127.0.0.1', '--count', 'x']],
  ['trace bad proto', ['trace', '127.0.0.1', '--proto', 'sctp']],
  ['trace no target', ['trace']],
  ['load bad target', ['load', 'ftp://127.0.0.1:21']],
  ['load no port', ['load', '127.0.0.1']],
  ['load bad duration', ['load', 'tcp://127.0.0.1:9', '--duration', 'soon']],
  ['load heavy', ['load', 'tcp://127.0.0.1:9', '--rate', '5000/s']],
  ['responder no listen', ['responder']],
  ['responder bad listen', ['responder', '--listen', 'localhost']],
  ['responder tls alone', ['responder', '--listen', '127.0.0.1:4790', '--tls-cert', missing]],
  ['monitor no config', ['monitor']],
  ['monitor missing config', ['monitor', '--config', missing, '--listen', '127.0.0.1:0']],
  ['monitor bad config', ['monitor', '--config', notJson, '--listen', '127.0.0.1:0']],
  ...undecidable.map(([label, snap]): [string, string[]] => [`firewall check undecidable: ${label}`, ['firewall', 'check', '--snapshot', snap, '--dst', '203.0.113.5', '--dport', '80']]),
  ['server bad --targets YAML', ['server', '--listen', '127.0.0.1:0', '--data', fleetData, '--targets', badYaml]],
  ['server --targets without targets', ['server', '--listen', '127.0.0.1:0', '--data', fleetData, '--targets', noTargets]],
  ['server missing --targets', ['server', '--listen', '127.0.0.1:0', '--data', fleetData, '--targets', missing]],
  ['server bad --db', ['server', '--db', 'mysql://x', '--data', fleetData]],
  ['server bad --heartbeat', ['server', '--heartbeat', 'often', '--data', fleetData]],
  ['server tls cert alone', ['server', '--tls-cert', missing, '--data', fleetData]],
  ['server token create bad labels', ['server', 'token', 'create', '--name', 'a1', '--labels', 'nope', '--data', fleetData]],
  ['server token revoke unknown', ['server', 'token', 'revoke', '--name', 'ghost', '--data', fleetData]],
  ['server token create', ['server', 'token', 'create', '--name', 'sh-01', '--labels', 'region=sh', '--data', fleetData]],
  ['server token list', ['server', 'token', 'list', '--data', fleetData]],
  ['agent no token', ['agent', '--server', 'http://127.0.0.1:9']],
  ['agent bad server', ['agent', '--server', 'ftp://127.0.0.1:9', '--token', 'x']],
  ['agent bad name', ['agent', '--server', 'http://127.0.0.1:9', '--token', 'x', '--name', 'a b']],
  // diagnose's options are checked before anything is sent: every one of these stops at the command line.
  ...(
    [
      ['--count', '0'],
      ['--pin', 'md5:00'],
      ['--tls-min', '2.0'],
      ['--tls-min', '1.3', '--tls-max', '1.2'],
      ['--cert', client],
      ['--ca', notJson],
      ['--sni', 'a b'],
      ['--warn-days', 'x'],
      ['--idle', '1s'],
      ['--tunnel-idle', '1s'],
      ['--backlog', '1'],
      ['--token', 'x'],
      ['--heartbeat', 'send=x'],
      ['--heartbeat', 'send=x;expect=y;every=1s;count=0'],
      ['--protocol', 'gopher'],
    ] as string[][]
  ).map((opts): [string, string[]] => [`diagnose bad ${opts.join(' ')}`, ['diagnose', '127.0.0.1:9', ...opts]]),
  ['collect bad --only', ['collect', '--only', 'nope']],
  ['collect empty --only', ['collect', '--only', ',']],
  ['lab list', ['lab', 'list']],
  ['lab bad subcommand', ['lab', 'nope']],
  ['no command', []],
  ['unknown command', ['diagnoze']],
];

for (const [label, args] of OFFLINE) {
  test(`zh: netdx ${label}`, async () => {
    assertZh(`${label} --lang zh`, await run([...args, ...(args.length > 0 ? ['--lang', 'zh'] : [])]), args.length === 0);
  });
}

test('zh: --help of every command (the whole tree), `netdx help CMD` and the usage of a bare `netdx`, by --lang zh and by LANG', async () => {
  const { buildProgram } = await import('./program.js');
  const paths: string[][] = [];
  const walk = (c: Command, path: string[]): void => {
    paths.push(path);
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  walk(await buildProgram(['--help']), []);
  assert.ok(paths.length > 25, `only ${paths.length} commands`);
  const cases: Array<[string[], NodeJS.ProcessEnv]> = [
    ...paths.map((p): [string[], NodeJS.ProcessEnv] => [[...p, '--help', '--lang', 'zh'], EN_ENV]),
    [['--help'], ZH_ENV],
    [['-h'], ZH_ENV],
    [['help'], ZH_ENV],
    [['help', 'diagnose'], ZH_ENV],
    [['help', 'server'], ZH_ENV],
    [['lab', 'help', 'run'], ZH_ENV],
    [['route', 'explain', '--help'], ZH_ENV],
    [['firewall'], ZH_ENV],
  ];
  for (let i = 0; i < cases.length; i += 2) {
    const batch = cases.slice(i, i + 2);
    const outs = await Promise.all(batch.map(([args, env]) => run(args, env)));
    batch.forEach(([args, env], j) => {
      const label = `${args.join(' ')}${env === ZH_ENV ? ' (LANG=zh_CN.UTF-8)' : ''}`;
      assert.match(outs[j]!.stdout + outs[j]!.stderr, /^用法：netdx/, label);
      assertZh(label, outs[j]!, true);
    });
  }
});

test('zh from LANG=zh_CN.UTF-8: faults, firewall, route, pcap and their errors', async () => {
  for (const args of [
    ['faults', 'DNS-002'],
    ['firewall', 'check', '--snapshot', client, '--dst', '203.0.113.5', '--dport', '443'],
    ['route', 'explain', '100.64.10.1', '--snapshot', routes],
    ['analyze', client, '--target', '203.0.113.5:443'],
    ['pcap', join(FIX, 'lab-dns.pcap')],
    ['pcap', '--bogus'],
    ['load', '127.0.0.1'],
  ])
    assertZh(`${args.join(' ')} (LANG=zh_CN.UTF-8)`, await run(args));
});

/** A loopback TCP server: answers HTTP, or resets every connection. */
async function server(mode: 'http' | 'reset'): Promise<{ port: number; close: () => Promise<void> }> {
  const srv = net.createServer((s) => {
    if (mode === 'reset') s.resetAndDestroy();
    else
      s.once('data', () => {
        s.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('zh: netdx load against loopback servers (ok, HTTP errors, resets, refused)', async () => {
  const http = await server('http');
  const reset = await server('reset');
  const closed = await closedPort();
  try {
    for (const args of [
      ['load', `tcp://127.0.0.1:${http.port}`, '--duration', '1s', '--connections', '2', '--steps', '2'],
      ['load', `http://127.0.0.1:${http.port}/`, '--duration', '1s', '--connections', '2', '--steps', '2'],
      ['load', `tls://127.0.0.1:${reset.port}`, '--duration', '1s', '--connections', '2', '--steps', '2'],
      ['load', `tcp://127.0.0.1:${closed}`, '--duration', '1s', '--connections', '2', '--steps', '2'],
    ])
      assertZh(args.join(' '), await run([...args, '--lang', 'zh']));
  } finally {
    await http.close();
    await reset.close();
  }
});

test('zh: netdx trace to loopback (ICMP, TCP to an open and a closed port)', async () => {
  const http = await server('http');
  const closed = await closedPort();
  try {
    for (const args of [
      ['trace', '127.0.0.1', '--count', '2', '--interval', '50'],
      ['trace', `127.0.0.1:${http.port}`, '--count', '2', '--interval', '50'],
      ['trace', `127.0.0.1:${closed}`, '--count', '2', '--interval', '50', '--proto', 'udp'],
    ])
      assertZh(args.join(' '), await run([...args, '--lang', 'zh']));
  } finally {
    await http.close();
  }
});

test('zh: netdx responder on loopback: the listening line, then the counters on SIGINT', async () => {
  const port = await closedPort();
  const child = spawn(process.execPath, [BIN, 'responder', '--listen', `127.0.0.1:${port}`, '--lang', 'zh'], { env: ZH_ENV });
  const closed = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!stdout.includes('\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  const code = await closed;
  assertZh(`responder --listen 127.0.0.1:${port}`, { code, stdout, stderr });
  assert.equal(stdout.trim().split('\n').length >= 2, true, stdout + stderr);
});

test('zh: netdx monitor on loopback: what it prints while it runs', async () => {
  const closed = await closedPort();
  const cfg = file('monitor.yaml', `interval: 1s\ntargets:\n  - name: local\n    target: 127.0.0.1:${closed}\n`);
  const listen = await closedPort();
  const child = spawn(process.execPath, [BIN, 'monitor', '--config', cfg, '--listen', `127.0.0.1:${listen}`, '--lang', 'zh'], { env: ZH_ENV });
  const closedP = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((r) => setTimeout(r, 4000));
  child.kill('SIGTERM');
  const code = await closedP;
  assertZh('monitor --config (127.0.0.1, a closed port)', { code, stdout, stderr });
});

test('zh: the lab table (renderTable) in zh', () => {
  const rec = (id: string, expect: string, got: string, pass: boolean, extra: Partial<RunRecord> = {}): RunRecord =>
    ({ id, expect, got, pass, why: pass ? '' : 'TCP-002', diagnosisMs: 120, ...extra }) as RunRecord;
  const recs = [
    rec('tcp-001-closed', 'TCP-001', 'TCP-001', true, { offline: { expect: 'TCP-001', got: 'TCP-001', pass: true, ms: 3 } } as Partial<RunRecord>),
    rec('net-001-no-route', 'NET-001', 'TCP-002', false, { lingered: true }),
    rec('ok-baseline', 'ok', 'ok', true),
    rec('vpn-003-x', 'VPN-003', 'VPN-003', true, { pendingIssue: 7 }),
  ];
  const text = (renderTable as (r: readonly RunRecord[], t: ReturnType<typeof totals>, lang?: 'en' | 'zh') => string)(recs, totals(recs), 'zh');
  assertZh('lab table', { code: 0, stdout: text, stderr: '' });
});

/** Runs a long-lived command until `until` holds for its output (or 20 s), then stops it with SIGTERM. */
async function daemon(args: string[], until: (out: { stdout: string; stderr: string }) => boolean, env: NodeJS.ProcessEnv = ZH_ENV): Promise<Out> {
  const child = spawn(process.execPath, [BIN, ...args], { env });
  const closed = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!until(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  return { code: await closed, ...out };
}

test('zh: netdx server and agent on loopback: startup, progress and stop lines', async () => {
  const data = mkdtempSync(join(tmpdir(), 'ndx-zh-fleet-run-'));
  const targets = file('fleet-targets.yaml', `interval: 1s\ntargets:\n  - name: local\n    target: 127.0.0.1:${await closedPort()}\n`);
  const token = (await run(['server', 'token', 'create', '--name', 'zh-01', '--labels', 'region=sh', '--data', data])).stdout.trim().split('\n').pop()!;
  const port = await closedPort();
  const server = spawn(process.execPath, [BIN, 'server', '--listen', `127.0.0.1:${port}`, '--data', data, '--targets', targets, '--heartbeat', '1', '--lang', 'zh'], { env: ZH_ENV });
  const serverClosed = new Promise<number>((r) => server.on('close', (c) => r(c ?? 1)));
  const s = { stdout: '', stderr: '' };
  server.stdout.on('data', (d: Buffer) => (s.stdout += d.toString()));
  server.stderr.on('data', (d: Buffer) => (s.stderr += d.toString()));
  try {
    const deadline = Date.now() + 20_000;
    while (!s.stderr.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // the agent: started, the target list, then its stop line (an agent whose target is down reports it; the server opens an incident)
    const agent = await daemon(['agent', '--server', `http://127.0.0.1:${port}`, '--token', token, '--lang', 'zh'], (o) => o.stderr.split('\n').length > 3, ZH_ENV);
    assertZh('agent (a loopback server)', agent);
    // a wrong token: the server's refusal comes back in the agent's language
    const refused = await run(['agent', '--server', `http://127.0.0.1:${port}`, '--token', 'ndx_wrong', '--lang', 'zh']);
    assertZh('agent with a wrong token', refused);
  } finally {
    server.kill('SIGTERM');
  }
  const code = await serverClosed;
  assertZh('server --listen 127.0.0.1', { code, ...s });
  // an agent whose server is not there: the unreachable line
  assertZh('agent (no server)', await daemon(['agent', '--server', `http://127.0.0.1:${await closedPort()}`, '--token', token, '--lang', 'zh'], (o) => o.stderr.includes('\n')));
});

test('zh: trace when the name does not resolve (lookupFailedText)', () => {
  for (const err of [Object.assign(new Error('getaddrinfo ENOTFOUND nope.lab.test'), { code: 'ENOTFOUND' }), new Error('something else'), undefined]) {
    const text = lookupFailedText('nope.lab.test', err, 'zh');
    assertZh('trace nope.lab.test', { code: 2, stdout: '', stderr: `netdx: ${text}\n` });
    assert.notEqual(text, lookupFailedText('nope.lab.test', err, 'en'));
  }
});

test('zh: the lab fleet-demo summary (renderFleetDemo), passing and failing', () => {
  const base = { agents: 9, classifiedMs: 12_300, locatedMs: 20_100, recoveredMs: 41_000, othersGreen: true, failures: [] as string[] };
  const incident = { summary: 'app — NET-004 route-conflict，影响 region=sh 的 3/3 个代理' };
  assertZh('lab fleet-demo (pass)', { code: 0, stdout: renderFleetDemo({ ...base, pass: true, incident }, 'zh'), stderr: '' });
  const failed = { ...base, pass: false, locatedMs: null, recoveredMs: null, othersGreen: false, incident: null, failures: ['等待事件恢复超时（60 秒）', '北京或深圳没有保持正常'] };
  assertZh('lab fleet-demo (fail)', { code: 2, stdout: renderFleetDemo(failed, 'zh'), stderr: '' });
  assert.match(renderFleetDemo(failed, 'en'), /FAIL {2}9 agents in 3 regions/);
});

/**
 * `lab up` for real, then `lab down`. `lab down` removes every kept lab on the machine, so it runs
 * only when no other lab is there (another session's kept lab is not ours to remove); otherwise this
 * test removes its own lab alone.
 */
test('zh: netdx lab up, then lab down (root; real namespaces)', { skip: process.getuid?.() !== 0 ? 'needs root' : false, timeout: 180_000 }, async () => {
  const { destroyRun, labRunIds } = await import('../lab/state.js');
  const others = labRunIds();
  const up = await run(['lab', 'up', '--lang', 'zh']);
  const runid = /实验环境 (\d+) 已就绪/.exec(up.stdout)?.[1];
  try {
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.ok(runid, up.stdout);
    assertZh('lab up', up);
  } finally {
    if (others.length === 0 && labRunIds().every((id) => id === runid)) {
      const down = await run(['lab', 'down']);
      assert.equal(down.code, 0, down.stdout + down.stderr);
      assertZh('lab down (LANG=zh_CN.UTF-8)', down);
    } else if (runid) await destroyRun(runid);
  }
});
