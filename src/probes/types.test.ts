import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { probeContext } from './types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const abortedWithin = (signal: AbortSignal, ms: number): Promise<number | null> =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const give = setTimeout(() => resolve(null), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(give);
      resolve(performance.now() - t0);
    });
  });

test('the budget fires even when garbage is collected before the deadline (nodejs/node#57736)', async () => {
  const parent = new AbortController().signal;
  const ctx = probeContext(150, parent);
  const fired = abortedWithin(ctx.signal, 2000);
  gc();
  setTimeout(gc, 40);
  setTimeout(gc, 80);
  const ms = await fired;
  assert.ok(ms !== null, 'the 150 ms budget never fired');
  // libuv counts a timer from the loop's cached time, which may be some ms old: not exact, but not at once
  assert.ok(ms >= 100, `fired far too early: ${ms} ms`);
  assert.equal((ctx.signal.reason as Error).name, 'TimeoutError');
});

test('the parent aborts the context at once; an aborted parent gives an aborted context', async () => {
  const parent = new AbortController();
  const ctx = probeContext(10_000, parent.signal);
  const fired = abortedWithin(ctx.signal, 1000);
  parent.abort(new Error('overall deadline'));
  assert.ok((await fired) !== null);
  assert.equal((ctx.signal.reason as Error).message, 'overall deadline');
  assert.equal(probeContext(10_000, parent.signal).signal.aborted, true);
});

test('a deadline alone does not keep the process alive (the timer is unref’d)', async () => {
  const { execFile } = await import('node:child_process');
  const url = new URL('./types.js', import.meta.url).href;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', `const { probeContext } = await import(${JSON.stringify(url)}); probeContext(20000);`], (err) => (err ? reject(err) : resolve())),
  );
  assert.ok(performance.now() - t0 < 10_000, 'the child waited for the 20 s budget');
});
