import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

// The state root is read when the module loads: point it at a scratch directory first.
const root = mkdtempSync(join(tmpdir(), 'ndx-labstate-'));
process.env.NETDX_LAB_STATE = root;
const state = await import('./state.js');

test('procStart: a running process has a start time, a finished one has none', () => {
  assert.match(state.procStart(process.pid) ?? '', /^[0-9]+$/);
  const done = spawnSync('true');
  assert.equal(state.procStart(done.pid!), null);
});

test('a lab is live while its owner runs (same PID and start time) or when it was kept on purpose', () => {
  const id = '4000001';
  state.writeOwner(id, false);
  assert.equal(state.isLive(id), true);
  const file = join(root, id, 'owner.json');
  const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; start: string; kept: boolean };
  // The same PID with another start time is a reused PID: not the owner.
  writeFileSync(file, JSON.stringify({ ...owner, start: '1' }));
  assert.equal(state.isLive(id), false);
  writeFileSync(file, JSON.stringify({ ...owner, pid: spawnSync('true').pid }));
  assert.equal(state.isLive(id), false);
  writeFileSync(file, JSON.stringify({ ...owner, pid: spawnSync('true').pid, kept: true }));
  assert.equal(state.isLive(id), true);
  assert.deepEqual(state.labRunIds(), [id]);
});

test('service records round-trip; a lab without records has none', () => {
  const id = '4000002';
  state.writeOwner(id, false);
  assert.deepEqual(state.readServices(id), []);
  state.recordService(id, { name: 'ns1', pid: 42, start: '7', cmd: 'dnsmasq' });
  state.recordService(id, { name: 'nginx', pid: 43, start: '8', cmd: 'nginx' });
  assert.deepEqual(
    state.readServices(id).map((s) => s.name),
    ['ns1', 'nginx'],
  );
  assert.equal(state.nsName(id, 'client'), 'ndx-lab-4000002-client');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
