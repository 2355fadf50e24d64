import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBatchingExec, makeExec, readBatchResult, type DetachedSpawn } from './exec.js';
import { spawnDetached } from '../native/spawn.js';
import { loadAddon } from '../native/addon.js';

/** The batch's shell started by node's spawn, and by the addon's posix_spawn where it is built. */
const SPAWNS: Array<[string, DetachedSpawn | undefined]> = [['node spawn', undefined], ...(loadAddon()?.spawn ? ([['addon posix_spawn', spawnDetached]] as Array<[string, DetachedSpawn]>) : [])];

for (const [how, spawn] of SPAWNS) {
  test(`batching exec (${how}): commands started together come back separately, as one spawn each would give them`, async () => {
    const batch = makeBatchingExec(spawn ? { spawn } : {});
    const single = makeExec();
    const cmds: Array<[string, string[]]> = [
      ['printf', ['%s', 'no newline at the end']],
      ['printf', ['line 1\\nline 2\\n@@ndx-00 0 0 o\\n']],
      ['sh', ['-c', 'echo out; echo err >&2; exit 3']],
      ['sh', ['-c', 'printf \'caf\\303\\251 %s\' "$LC_ALL"']],
      ['netdx-no-such-tool', ['x']],
      ['printf', ['']],
    ];
    const got = await Promise.all(cmds.map(([f, a]) => batch(f, a)));
    const want = await Promise.all(cmds.map(([f, a]) => single(f, a)));
    assert.deepEqual(got, want);
    assert.deepEqual(got[2], { stdout: 'out\n', stderr: 'err\n', code: 3, failure: null });
    assert.equal(got[3]!.stdout, 'café C');
    assert.equal(got[4]!.failure, 'ENOENT');
  });

  test(`batching exec (${how}): a batch that outlives its deadline is killed with its commands, which are timeouts; the others keep their answers; a call with its own kill signal runs alone`, async () => {
    const batch = makeBatchingExec(spawn ? { spawn } : {});
    const marker = join(tmpdir(), `netdx-batch-kill-${process.pid}`);
    rmSync(marker, { force: true });
    const t0 = Date.now();
    const [a, b] = await Promise.all([batch('sh', ['-c', `sleep 0.6; echo late > ${marker}`], { timeoutMs: 300 }), batch('printf', ['x'], { timeoutMs: 300 })]);
    assert.equal(a.failure, 'timeout');
    assert.deepEqual(b, { stdout: 'x', stderr: '', code: 0, failure: null }, 'a command that finished before the deadline keeps its answer');
    assert.ok(Date.now() - t0 < 3000, 'the batch ended at its deadline (the slow command being killed is shown below)');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(readdirSync(tmpdir()).includes(`netdx-batch-kill-${process.pid}`), false, 'the slow command was killed with the batch, not left running');
    const c = await batch('printf', ['y'], { signal: new AbortController().signal, killSignal: 'SIGINT' });
    assert.deepEqual(c, { stdout: 'y', stderr: '', code: 0, failure: null });
  });
}

test('batching exec: the batch folder is removed once its answers are read', async () => {
  // A parent of its own: other tests' batches run at the same time in the system's temporary folder.
  const tmp = mkdtempSync(join(tmpdir(), 'netdx-batch-test-'));
  try {
    const batch = makeBatchingExec({ tmp });
    const got = await Promise.all([batch('printf', ['1']), batch('printf', ['2']), batch('printf', ['3'])]);
    assert.deepEqual(
      got.map((r) => r.stdout),
      ['1', '2', '3'],
    );
    assert.deepEqual(readdirSync(tmp), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('batching exec: a call in a batch ends at its own deadline or abort; the others get their answers', async () => {
  const batch = makeBatchingExec();
  const ac = new AbortController();
  const t0 = Date.now();
  const slow = batch('sleep', ['0.6'], { timeoutMs: 2000 });
  const short = batch('sleep', ['0.6'], { timeoutMs: 100 });
  const aborted = batch('sleep', ['0.6'], { timeoutMs: 2000, signal: ac.signal });
  const quick = batch('printf', ['z'], { timeoutMs: 2000, signal: new AbortController().signal });
  setTimeout(() => ac.abort(), 50);
  assert.equal((await short).failure, 'timeout');
  assert.equal((await aborted).failure, 'timeout');
  assert.ok(Date.now() - t0 < 500, 'the short and the aborted call did not wait for the batch');
  assert.deepEqual(await quick, { stdout: 'z', stderr: '', code: 0, failure: null }, 'a call with a signal joins the batch');
  assert.equal((await slow).code, 0);
});

test('readBatchResult: a command is answered only when its exit status is there and is a number', () => {
  const d = mkdtempSync(join(tmpdir(), 'netdx-batch-test-'));
  try {
    writeFileSync(join(d, '0.o'), 'hello');
    writeFileSync(join(d, '0.e'), '');
    writeFileSync(join(d, '0.c'), '0\n');
    assert.deepEqual(readBatchResult(d, 0), { stdout: 'hello', stderr: '', code: 0, failure: null });
    writeFileSync(join(d, '1.o'), 'partial');
    assert.equal(readBatchResult(d, 1), null, 'no status: still running when the batch ended');
    writeFileSync(join(d, '2.c'), '');
    assert.equal(readBatchResult(d, 2), null, 'an empty status');
    writeFileSync(join(d, '3.c'), 'x\n');
    assert.equal(readBatchResult(d, 3), null);
    writeFileSync(join(d, '4.c'), '127\n');
    writeFileSync(join(d, '4.e'), 'sh: 1: nope: not found\n');
    assert.deepEqual(readBatchResult(d, 4), { stdout: '', stderr: 'sh: 1: nope: not found\n', code: null, failure: 'ENOENT' });
    writeFileSync(join(d, '5.c'), '126\n');
    assert.equal(readBatchResult(d, 5)?.failure, 'EACCES');
    writeFileSync(join(d, '6.c'), '3\n');
    assert.deepEqual(readBatchResult(d, 6), { stdout: '', stderr: '', code: 3, failure: null });
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
