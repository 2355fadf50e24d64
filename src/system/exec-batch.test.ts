import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBatchingExec, makeExec, parseBatch } from './exec.js';

test('batching exec: commands started together come back separately, as one spawn each would give them', async () => {
  const batch = makeBatchingExec();
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

test('batching exec: a batch that outlives its deadline is a timeout for its commands; a call with its own kill signal runs alone', async () => {
  const batch = makeBatchingExec();
  const [a, b] = await Promise.all([batch('sleep', ['5'], { timeoutMs: 200 }), batch('printf', ['x'], { timeoutMs: 200 })]);
  assert.equal(a.failure, 'timeout');
  assert.equal(b.failure, 'timeout');
  const c = await batch('printf', ['y'], { signal: new AbortController().signal, killSignal: 'SIGINT' });
  assert.deepEqual(c, { stdout: 'y', stderr: '', code: 0, failure: null });
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

test('parseBatch: anything but the whole framed output is refused (null), never a wrong split', () => {
  const t = '@@ndx-abc';
  const ok = Buffer.from(`${t} 0 0 o\nhello${t} 0 e\n${t} 1 2 o\n${t} 1 e\noops\n`);
  assert.deepEqual(parseBatch(ok, 2, t), [
    { stdout: 'hello', stderr: '', code: 0, failure: null },
    { stdout: '', stderr: 'oops\n', code: 2, failure: null },
  ]);
  assert.equal(parseBatch(ok, 3, t), null, 'a command missing');
  assert.equal(parseBatch(Buffer.from(`${t} 0 x o\n`), 1, t), null);
  assert.equal(parseBatch(Buffer.from(`${t} 7 0 o\n`), 1, t), null);
  assert.equal(parseBatch(Buffer.from(`${t} 0 e\n`), 1, t), null, 'stderr before its header');
  assert.equal(parseBatch(Buffer.from(''), 1, t), null);
});
