import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOnly } from './collect.js';
import { main } from './program.js';
import { NetdxError } from '../model/errors.js';

function captureStderr<T>(f: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const orig = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  return f().then(
    (value) => ((process.stderr.write = orig), { value, stderr }),
    (err: unknown) => {
      process.stderr.write = orig;
      throw err;
    },
  );
}

test('--only: parts and aliases; an unknown part is a usage error naming it', () => {
  assert.deepEqual(parseOnly('links, routes,neigh,links'), ['links', 'routes', 'neighbors']);
  assert.throws(
    () => parseOnly('links,bogus'),
    (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && /unknown part 'bogus'/.test(e.message),
  );
  assert.throws(() => parseOnly(' , '), NetdxError);
});

test('collect --out writes the snapshot; an unwritable file is one line and exit 3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndx-collect-'));
  const out = join(dir, 'snap.json');
  const ok = await captureStderr(() => main(['collect', '--only', 'resolv,hosts', '--pretty', '--out', out]));
  assert.equal(ok.value, 0);
  const snap = JSON.parse(readFileSync(out, 'utf8')) as { schema: string; links: unknown };
  assert.equal(snap.schema, 'netdx.snapshot/v1');
  assert.deepEqual(snap.links, { ok: false, unavailable: 'not collected' });
  const bad = await captureStderr(() => main(['collect', '--only', 'hosts', '--out', join(dir, 'missing', 'x.json')]));
  assert.equal(bad.value, 3);
  assert.equal(bad.stderr, `netdx: cannot write ${join(dir, 'missing', 'x.json')}: no such directory\n`);
  const usage = await captureStderr(() => main(['collect', '--only', 'nope']));
  assert.equal(usage.value, 64);
  assert.equal(usage.stderr.split('\n').length, 2);
});
