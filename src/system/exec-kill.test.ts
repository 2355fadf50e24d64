import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeExec } from './exec.js';

const exec = makeExec();

test('abort with killSignal SIGINT: the command prints what it has (as ping prints its statistics) and the output is kept', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const r = await exec('sh', ['-c', 'trap "echo statistics; exit 1" INT; echo started; while :; do sleep 0.05; done'], { signal: ac.signal, killSignal: 'SIGINT', timeoutMs: 10_000 });
  assert.equal(r.failure, 'timeout');
  assert.match(r.stdout, /started\nstatistics/);
  assert.equal(r.code, 1);
});

test('a command that ignores the kill signal is killed 300 ms later; a missing one is ENOENT without a fork', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const t0 = Date.now();
  const r = await exec('sh', ['-c', 'trap "" TERM; echo stubborn; while :; do sleep 0.05; done'], { signal: ac.signal, timeoutMs: 10_000 });
  assert.equal(r.failure, 'timeout');
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  assert.deepEqual(await exec('netdx-no-such-tool', []), { stdout: '', stderr: '', code: null, failure: 'ENOENT' });
  const done = await exec('sh', ['-c', 'echo out; echo err >&2; exit 4']);
  assert.deepEqual(done, { stdout: 'out\n', stderr: 'err\n', code: 4, failure: null });
});
