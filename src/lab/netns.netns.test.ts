/**
 * The namespace builder against the real kernel: two hosts of its own (`ndx-nb-<pid>-a|b`, a veth
 * pair 198.51.100.0/24, never linked to the root namespace), a macvlan station with its own MAC,
 * `run` that does not throw for a failing command, `spawn` with the caller's stdio, and a teardown
 * that leaves nothing running in or behind the namespaces. Skipped without root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsSet } from './netns.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root (network namespaces)';

const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '');
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie waiting for its parent (init) to reap it counts as gone.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

test('netnsSet: veth, macvlan with its own MAC, run, spawn with stdio, destroy leaves nothing', { skip, timeout: 60_000 }, async () => {
  const set = netnsSet(`ndx-nb-${process.pid}`);
  const dir = mkdtempSync(join(tmpdir(), 'ndx-nb-'));
  try {
    set.add('a');
    set.add('b', ['net.ipv4.conf.all.arp_ignore=1']);
    assert.equal(set.exec('b', ['sysctl', '-n', 'net.ipv4.conf.all.arp_ignore']).trim(), '1');
    set.veth({ host: 'a', dev: 'eth0', addrs: ['198.51.100.1/24'] }, { host: 'b', dev: 'eth0', addrs: ['198.51.100.2/24'] });
    set.macvlan({ host: 'b', dev: 'mv0', addrs: ['198.51.100.66/24'] }, 'eth0');

    // The macvlan answers from its own MAC, not the parent's.
    const mac = (dev: string): string => (JSON.parse(set.exec('b', ['ip', '-j', 'link', 'show', dev])) as Array<{ address: string }>)[0]!.address;
    const link = JSON.parse(set.exec('b', ['ip', '-j', '-d', 'link', 'show', 'mv0'])) as Array<{ operstate: string; linkinfo: { info_kind: string; info_data: { mode: string } } }>;
    assert.equal(link[0]!.linkinfo.info_kind, 'macvlan');
    assert.equal(link[0]!.linkinfo.info_data.mode, 'bridge');
    assert.notEqual(mac('mv0'), mac('eth0'));
    for (const to of ['198.51.100.2', '198.51.100.66']) set.exec('a', ['ping', '-c', '1', '-W', '2', to]);
    const neigh = JSON.parse(set.exec('a', ['ip', '-j', 'neigh', 'show', 'dev', 'eth0'])) as Array<{ dst: string; lladdr?: string }>;
    assert.equal(neigh.find((n) => n.dst === '198.51.100.66')?.lladdr, mac('mv0'));
    assert.equal(neigh.find((n) => n.dst === '198.51.100.2')?.lladdr, mac('eth0'));

    // run: a failing command is a result, not an exception; exec throws for it.
    const r = set.run('a', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual(r, { status: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    assert.equal(set.run('a', ['cat'], { input: 'in' }).stdout, 'in');
    assert.equal(set.run('a', ['sleep', '5'], { timeoutMs: 200 }).signal, 'SIGTERM');
    assert.throws(() => set.exec('a', ['sh', '-c', 'exit 3']), /sh -c exit 3 in ndx-nb-\d+-a/);

    // spawn: stdout into a file of the caller's.
    const file = join(dir, 'out');
    const fd = openSync(file, 'w');
    const c = set.spawn('b', 'sh', ['-c', 'echo hello'], { stdio: ['ignore', fd, 'ignore'] });
    closeSync(fd);
    await once(c, 'exit');
    assert.equal(readFileSync(file, 'utf8'), 'hello\n');

    // destroy: the spawned process, and one it left behind (a daemon no one tracks), both go.
    const server = set.spawn('b', 'sleep', ['300']);
    const orphan = Number(set.exec('a', ['sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!']).trim());
    assert.ok(alive(orphan) && server.pid !== undefined && alive(server.pid));
    set.destroy();
    await once(server, 'exit');
    for (let i = 0; i < 50 && alive(orphan); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(alive(orphan), false, 'the process left in the namespace is gone');
    assert.deepEqual(
      namespaces().filter((n) => n.startsWith(`ndx-nb-${process.pid}-`)),
      [],
    );
  } finally {
    set.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
