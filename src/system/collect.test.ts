import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFor, collectSnapshot, ENGINE_PARTS } from './collect.js';
import { makeExec, type ExecFn, type ExecResult } from './exec.js';
import { fixture } from './fixture-files.js';

/** A fake machine: files under a temp root, commands answered from the captured fixtures. */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ndx-root-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0, failure: null });
const missing: ExecResult = { stdout: '', stderr: '', code: null, failure: 'ENOENT' };

function fakeExec(answers: Record<string, ExecResult>): { exec: ExecFn; calls: string[] } {
  const calls: string[] = [];
  const exec: ExecFn = async (file, args) => {
    const cmd = [file, ...args].join(' ');
    calls.push(cmd);
    return answers[cmd] ?? missing;
  };
  return { exec, calls };
}

const LAB: Record<string, ExecResult> = {
  'ip -j -d addr': ok(fixture('lab-ip-addr-d.json')),
  'ip -j -4 route show table all': ok(fixture('lab-ip-route4.json')),
  'ip -j -6 route show table all': ok(fixture('lab-ip-route6.json')),
  'ip -j -4 rule': ok(fixture('lab-ip-rule4.json')),
  'ip -j -6 rule': ok(fixture('lab-ip-rule6.json')),
  'ip -j neigh': ok(fixture('lab-ip-neigh.json')),
  'iptables-save -c': ok(fixture('lab-iptables-save-c.txt')),
  'ip6tables-save -c': ok(fixture('lab-ip6tables-save-c.txt')),
  'nft -j list ruleset': ok(fixture('lab-nft.json')),
  'ss -H -ltnup': ok(fixture('lab-ss-ltnup.txt')),
  'timedatectl show -p NTPSynchronized --value': ok('yes\n'),
};

const FILES = {
  'etc/resolv.conf': 'search lab.test\nnameserver 198.51.100.53\noptions timeout:1 attempts:4\nbogus\n',
  'etc/hosts': '127.0.0.1 localhost\n203.0.113.7 api.lab.test api\n',
  'etc/nsswitch.conf': 'hosts: files dns\n',
  'proc/sys/net/ipv4/ip_forward': '1\n',
  'proc/sys/net/ipv4/ping_group_range': '0\t2147483647\n',
  'proc/sys/net/core/somaxconn': '4096\n',
};

test('a snapshot of a fake machine: every part from its source', async () => {
  const root = fakeRoot(FILES);
  const { exec } = fakeExec(LAB);
  const s = await collectSnapshot({ root, exec, env: { HTTPS_PROXY: 'http://100.64.0.8:3128', no_proxy: '.lab.test', http_proxy: '', PATH: '/x' }, now: () => new Date('2026-11-26T10:00:00Z') });
  assert.equal(s.schema, 'netdx.snapshot/v1');
  assert.equal(s.collectedAt, '2026-11-26T10:00:00.000Z');
  assert.ok(s.links.ok && s.links.value.some((l) => l.name === 'a0' && l.kind === 'veth'));
  assert.ok(s.routes.ok);
  assert.deepEqual(new Set(s.routes.value.map((r) => r.family)), new Set([4, 6]));
  assert.ok(s.rules.ok && s.rules.value.some((r) => r.fwmark === '0x1/0xff' && r.table === '100'));
  assert.ok(s.neighbors.ok && s.neighbors.value.some((n) => n.state.includes('FAILED')));
  assert.ok(s.resolv.ok);
  assert.deepEqual([s.resolv.value.path, s.resolv.value.nameservers, s.resolv.value.options.timeout, s.resolv.value.options.attempts], [join(root, 'etc/resolv.conf'), ['198.51.100.53'], 1, 4]);
  assert.deepEqual(
    s.resolv.value.ignored.map((x) => x.line),
    [4],
  );
  assert.ok(s.hosts.ok && s.hosts.value.entries[1]?.names.includes('api'));
  assert.ok(s.nsswitch.ok && s.nsswitch.value.hosts.join(' ') === 'files dns');
  assert.ok(s.firewall.iptables.ok && s.firewall.iptables.value.includes('*nat'));
  assert.ok(s.firewall.ip6tables.ok);
  assert.ok(s.firewall.nft.ok && typeof s.firewall.nft.value === 'object');
  assert.deepEqual(s.firewall.ufw, { ok: false, unavailable: 'ufw not installed' });
  assert.deepEqual(s.sysctls, { ok: true, value: { 'net.ipv4.ip_forward': '1', 'net.core.somaxconn': '4096', 'net.ipv4.ping_group_range': '0 2147483647' } });
  assert.ok(s.listening.ok && s.listening.value.some((x) => x.port === 8080 && x.proto === 'tcp'));
  assert.deepEqual(s.proxyEnv, { HTTPS_PROXY: 'http://100.64.0.8:3128', no_proxy: '.lab.test' });
  assert.equal(s.time.ntpSynchronized, true);
  assert.match(s.time.local, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
});

test('missing files, failing and unparsable commands become reasons, not a failed snapshot', async () => {
  const root = fakeRoot({ 'etc/hosts': '127.0.0.1 localhost\n' });
  const { exec } = fakeExec({
    ...LAB,
    'iptables-save -c': { stdout: '', stderr: 'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n', code: 1, failure: null },
    'ip -j neigh': ok('[{"dst":"not an address","dev":"a0"}]'),
    'ip -j -6 rule': { stdout: '', stderr: '', code: null, failure: 'timeout' },
    'nft -j list ruleset': ok('{"nftables": ['),
    'timedatectl show -p NTPSynchronized --value': { stdout: '', stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\n", code: 1, failure: null },
  });
  const s = await collectSnapshot({ root, exec, env: {} });
  assert.deepEqual(s.resolv, { ok: false, unavailable: `${join(root, 'etc/resolv.conf')} not found` });
  assert.deepEqual(s.nsswitch, { ok: false, unavailable: `${join(root, 'etc/nsswitch.conf')} not found` });
  assert.ok(s.hosts.ok);
  assert.deepEqual(s.firewall.iptables, {
    ok: false,
    unavailable: 'iptables-save exited with code 1: iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
  });
  assert.ok(!s.neighbors.ok && s.neighbors.unavailable.startsWith('ip -j neigh: neighbor #0: expected "dst" to be an IP address'));
  assert.deepEqual(s.rules, { ok: false, unavailable: 'ip timed out after 2000 ms' });
  assert.ok(!s.firewall.nft.ok && s.firewall.nft.unavailable.startsWith('nft -j list ruleset: not valid JSON'));
  assert.ok(!s.sysctls.ok && s.sysctls.unavailable.includes('proc/sys'));
  assert.equal(s.time.ntpSynchronized, null);
  assert.deepEqual(s.proxyEnv, {});
  assert.ok(s.links.ok && s.routes.ok);
});

test('an unreadable file is a permission reason', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async () => {
  const root = fakeRoot({ 'etc/resolv.conf': 'nameserver 198.51.100.53\n' });
  chmodSync(join(root, 'etc/resolv.conf'), 0o000);
  const s = await collectFor(['resolv'], { root, exec: fakeExec({}).exec });
  assert.deepEqual(s.resolv, { ok: false, unavailable: `${join(root, 'etc/resolv.conf')}: permission denied` });
});

test('collectFor runs only the sources of the parts asked for', async () => {
  const root = fakeRoot(FILES);
  const { exec, calls } = fakeExec(LAB);
  const s = await collectFor(['routes', 'resolv'], { root, exec });
  assert.ok(s.routes.ok && s.resolv.ok);
  for (const part of [s.links, s.rules, s.neighbors, s.hosts, s.nsswitch, s.sysctls, s.listening, s.firewall.iptables, s.firewall.nft])
    assert.deepEqual(part, { ok: false, unavailable: 'not collected' });
  assert.deepEqual(calls.filter((c) => !c.startsWith('timedatectl')).sort(), ['ip -j -4 route show table all', 'ip -j -6 route show table all']);
  const e = await collectFor(ENGINE_PARTS, { root, exec });
  assert.ok(e.links.ok && e.rules.ok && e.neighbors.ok && e.hosts.ok && e.nsswitch.ok);
  assert.deepEqual(e.firewall.iptables, { ok: false, unavailable: 'not collected' });
});

test('with no tools on the PATH every command source says which tool is missing', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'ndx-nopath-'));
  const root = fakeRoot(FILES);
  const s = await collectSnapshot({ root, exec: makeExec({ path: empty }) });
  assert.deepEqual(s.links, { ok: false, unavailable: 'ip not installed' });
  assert.deepEqual(s.routes, { ok: false, unavailable: 'ip not installed' });
  assert.deepEqual(s.firewall.iptables, { ok: false, unavailable: 'iptables-save not installed' });
  assert.deepEqual(s.firewall.ip6tables, { ok: false, unavailable: 'ip6tables-save not installed' });
  assert.deepEqual(s.firewall.nft, { ok: false, unavailable: 'nft not installed' });
  assert.deepEqual(s.listening, { ok: false, unavailable: 'ss not installed' });
  assert.equal(s.time.ntpSynchronized, null);
  assert.ok(s.resolv.ok, 'files are still read');
});

test('the real exec: exit codes, stderr, a deadline that kills', async () => {
  const exec = makeExec();
  const r = await exec('sh', ['-c', 'echo out; echo "first line" >&2; echo second >&2; exit 3']);
  assert.deepEqual(r, { stdout: 'out\n', stderr: 'first line\nsecond\n', code: 3, failure: null });
  const slow = await exec('sleep', ['5'], { timeoutMs: 50 });
  assert.equal(slow.failure, 'timeout');
  const env = await exec('sh', ['-c', 'echo "$LC_ALL"']);
  assert.equal(env.stdout, 'C\n');
});

test('live, read-only: this machine (or namespace) gives links and routes', { skip: process.platform !== 'linux' }, async () => {
  const s = await collectFor(['links', 'routes', 'rules', 'neighbors', 'sysctls']);
  if (!s.links.ok && s.links.unavailable === 'ip not installed') return;
  assert.ok(s.links.ok, !s.links.ok ? s.links.unavailable : '');
  assert.ok(s.links.value.some((l) => l.loopback));
  assert.ok(s.routes.ok, !s.routes.ok ? s.routes.unavailable : '');
  assert.ok(s.rules.ok && s.rules.value.some((r) => r.table === 'main'));
  assert.ok(s.neighbors.ok);
  assert.ok(s.sysctls.ok && /^[01]$/.test(s.sysctls.value['net.ipv4.ip_forward'] ?? ''));
});
