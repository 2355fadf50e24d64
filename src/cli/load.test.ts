import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

const BIN = new URL('../../bin/netdx.js', import.meta.url).pathname;
const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );

test('netdx load / responder: bad input is one line and exit 64, never a stack trace', async () => {
  for (const args of [
    ['load', '127.0.0.1:1', '--rate', '5000/s'],
    ['load', '127.0.0.1:1', '--duration', '5m'],
    ['load', '127.0.0.1:1', '--connections', 'lots'],
    ['load', '127.0.0.1', '--duration', '1s'],
    ['responder', '--listen', 'nowhere'],
    ['responder', '--listen', '127.0.0.1:0', '--tls-cert', 'x.pem'],
    ['diagnose', '127.0.0.1:1', '--token', 't'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }
});

test('netdx load --json against a closed loopback port: TCP-001 with counts, exit 2, bounded by the duration', async () => {
  const r = await run(['load', '127.0.0.1:1', '--duration', '300ms', '--connections', '2', '--steps', '1', '--json']);
  assert.equal(r.code, 2, r.stderr);
  const j = JSON.parse(r.stdout) as { schema: string; primary: { code: string }; errors: Array<{ code: string; count: number }>; durationMs: number };
  assert.equal(j.schema, 'netdx.load/v1');
  assert.equal(j.primary.code, 'TCP-001');
  assert.ok(j.errors[0]!.count > 0);
  assert.ok(j.durationMs < 5000);
});
