/** netdx firewall check / route explain / analyze on snapshot files: output, JSON shapes, exit codes, bad input. */
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFirewallOptions } from './analyze.js';
import { NetdxError } from '../model/errors.js';
import { labRoutesSnapshot, labSnapshot } from '../analyze/test-fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));

/** Runs the real CLI in a child process (the test runner owns this process's stdout). */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ndx-an-cli-'));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const client = file('client.json', JSON.stringify(labSnapshot('a', 'client-output')));
const routes = file('routes.json', JSON.stringify(labRoutesSnapshot()));

test('firewall check --json: verdict, trace, the deciding rule; exit 2 for a drop', async () => {
  const r = await run(['firewall', 'check', '--snapshot', client, '--proto', 'tcp', '--dst', '203.0.113.5', '--dport', '443', '--json']);
  assert.equal(r.code, 2, r.stderr);
  const j = JSON.parse(r.stdout) as { verdict: string; trace: Array<{ chain: string; rule: number | null; result: string }>; rule: { number: number; table: string; chain: string; line: number } };
  assert.equal(j.verdict, 'DROP');
  assert.deepEqual([j.rule.table, j.rule.chain, j.rule.number], ['filter', 'OUTPUT', 3]);
  assert.ok(j.rule.line > 0);
  assert.deepEqual(
    j.trace.map((t) => [t.chain, t.rule, t.result]),
    [
      ['OUTPUT', 1, 'no-match'],
      ['OUTPUT', 2, 'no-match'],
      ['OUTPUT', 3, 'match'],
    ],
  );
});

test('firewall check (text): verdict line and the trace; exit 0 for ACCEPT', async () => {
  const r = await run(['firewall', 'check', '--snapshot', client, '--dst', '203.0.113.5', '--dport', '80', '--lang', 'en']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Verdict: ACCEPT/);
  assert.match(r.stdout, /Derived: source 198\.51\.100\.1/);
  assert.match(r.stdout, /Trace \(every rule visited, in order\):/);
  assert.match(r.stdout, /\* OUTPUT +iptables filter\/OUTPUT policy/);
  const zh = await run(['firewall', 'check', '--snapshot', client, '--dst', '203.0.113.5', '--dport', '80', '--lang', 'zh']);
  assert.match(zh.stdout, /^判定：ACCEPT/);
});

test('route explain --json: the chosen gateway and device, candidates and rules; exit 2 without a route', async () => {
  const r = await run(['route', 'explain', '100.100.1.1', '--mark', '0x1', '--snapshot', routes, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { route: { gateway: string; dev: string; table: string }; candidates: Array<{ prefix: string }>; rules: Array<{ priority: number }> };
  assert.deepEqual([j.route.gateway, j.route.dev, j.route.table], ['198.51.100.2', 'a0', '100']);
  assert.ok(j.candidates.length >= 3);
  assert.deepEqual(
    j.rules.map((x) => x.priority),
    [0, 100],
  );
  const bh = await run(['route', 'explain', '100.64.10.1', '--snapshot', routes, '--json']);
  assert.equal(bh.code, 2);
  assert.equal((JSON.parse(bh.stdout) as { outcome: string }).outcome, 'blackhole');
  const text = await run(['route', 'explain', '100.64.20.5', '--snapshot', routes]);
  assert.match(text.stdout, /^Route to 100\.64\.20\.5: 100\.64\.20\.5 via 198\.51\.100\.2 dev a0 \(table main\)/);
  assert.match(text.stdout, /Why: .*longer prefix than/);
});

test('analyze SNAPSHOT --target: the offline judgement names the blocking rule (NET-006)', async () => {
  const r = await run(['analyze', client, '--target', '203.0.113.5:443', '--json']);
  const report = JSON.parse(r.stdout) as { findings: Array<{ code: string; fix: Array<{ command?: string }> }> };
  const f = report.findings.find((x) => x.code === 'NET-006');
  assert.ok(f, r.stdout.slice(0, 400));
  assert.ok(f.fix.some((x) => x.command === 'iptables -t filter -D OUTPUT 3'));
  assert.equal(r.code, 2);
});

test('bad snapshot files: unreadable → exit 3, not JSON / not a snapshot / malformed → exit 64, one line each', async () => {
  const missing = await run(['analyze', join(dir, 'nope.json'), '--target', '203.0.113.5']);
  assert.equal(missing.code, 3);
  assert.equal(missing.stderr, `netdx: cannot read ${join(dir, 'nope.json')}: no such file\n`);
  const notJson = await run(['firewall', 'check', '--snapshot', file('x.txt', 'hello'), '--dst', '203.0.113.5', '--dport', '1']);
  assert.equal(notJson.code, 64);
  assert.match(notJson.stderr, /^netdx: .*x\.txt: not JSON/);
  const other = await run(['route', 'explain', '198.51.100.1', '--snapshot', file('o.json', '{"schema":"other"}')]);
  assert.equal(other.code, 64);
  assert.match(other.stderr, /not a netdx snapshot/);
  const snap = JSON.parse(JSON.stringify(labSnapshot('a'))) as { routes: { value: Array<{ family: number }> } };
  snap.routes.value[0]!.family = 5;
  const bad = await run(['analyze', file('bad.json', JSON.stringify(snap)), '--target', '203.0.113.5']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /not a valid snapshot: routes\.value\.0\.family/);
  assert.equal(bad.stderr.split('\n').length, 2);
});

test('firewall check options: each bad value is a usage error naming the option', () => {
  const bad = (o: Parameters<typeof parseFirewallOptions>[0], re: RegExp) =>
    assert.throws(
      () => parseFirewallOptions(o),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && re.test(e.message),
    );
  bad({ dst: '203.0.113.5', dport: '80', proto: 'gre' }, /--proto 'gre'/);
  bad({ dport: '80' }, /--dst is required/);
  bad({ dst: 'example', dport: '80' }, /--dst 'example'/);
  bad({ dst: '203.0.113.5' }, /--dport is required for tcp/);
  bad({ dst: '203.0.113.5', dport: '70000' }, /--dport '70000'/);
  bad({ dst: '203.0.113.5', dport: '80', src: '2001:db8::1' }, /different address families/);
  bad({ dst: '203.0.113.5', dport: '80', chain: 'PREROUTING' }, /--chain 'PREROUTING'/);
  bad({ dst: '203.0.113.5', dport: '80', state: 'RELATED' }, /--state 'RELATED'/);
  bad({ dst: '203.0.113.5', dport: '80', mark: 'x' }, /--mark 'x'/);
  assert.deepEqual(parseFirewallOptions({ dst: '203.0.113.5', proto: 'icmp', chain: 'input', replies: false }), {
    chain: 'INPUT',
    proto: 'icmp',
    src: null,
    dst: '203.0.113.5',
    dport: null,
    replies: false,
  });
});
