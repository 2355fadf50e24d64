import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { NetdxError } from '../model/errors.js';
import { RULES } from '../rules/index.js';
import { findMeta, register } from './faults.js';

const metas = RULES.map((r) => r.meta);

/** Runs `netdx faults …` in-process and returns what it printed. */
async function faults(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['faults', ...args], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('findMeta accepts a code in any case or a slug', () => {
  assert.equal(findMeta(metas, 'net-001', 'en').code, 'NET-001');
  assert.equal(findMeta(metas, 'hosts-override', 'en').code, 'DNS-004');
});

test('an unknown code is a usage error (exit 64) on one line', () => {
  assert.throws(
    () => findMeta(metas, 'NET-999', 'en'),
    (e: unknown) => e instanceof NetdxError && e.code === 'E_USAGE' && e.exitCode === 64 && e.message === "fault code 'NET-999': no such code (see `netdx faults`)",
  );
  assert.throws(() => findMeta(metas, 'XYZ', 'zh'), /故障代码 'XYZ' 不存在/);
});

test('`netdx faults --json` lists every code with slug and layer', async () => {
  const list = JSON.parse(await faults('--json')) as Array<{ code: string; slug: string; layer: string }>;
  assert.deepEqual(
    list.map((x) => `${x.code} ${x.slug} ${x.layer}`),
    metas.map((x) => `${x.code} ${x.slug} ${x.layer}`),
  );
});

test('`netdx faults` prints one row per code; `netdx faults CODE --lang zh` one entry in Chinese', async () => {
  const table = await faults('--lang', 'en');
  assert.equal(table.trimEnd().split('\n').length, metas.length + 1);
  const entry = await faults('DNS-004', '--lang', 'zh');
  assert.match(entry, /^DNS-004 hosts-override — hosts文件被篡改\/覆盖/);
  assert.match(entry, /sed -i '\{line\}d' \{path\}/);
  // An entry is also looked up by its slug.
  const m = metas[0]!;
  const one = await faults(m.slug, '--lang', 'en');
  assert.match(one, new RegExp(`^${m.code} ${m.slug} — `));
});

test('bad --lang and two formats at once are usage errors', async () => {
  await assert.rejects(faults('--lang', 'fr'), (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && /--lang 'fr'/.test(e.message));
  await assert.rejects(faults('--json', '--markdown'), (e: unknown) => e instanceof NetdxError && e.exitCode === 64);
  await assert.rejects(faults('NOPE-1'), (e: unknown) => e instanceof NetdxError && e.exitCode === 64);
});
