import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetdxError } from './errors.js';
import { MAX_BYTES, readInputFile, readInputStream } from './input-file.js';
import { readPem } from '../cli/diagnose-options.js';
import { readSnapshotFile } from '../analyze/snapshot-file.js';

const dir = mkdtempSync(join(tmpdir(), 'netdx-input-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const big = join(dir, 'big.pem');
writeFileSync(big, Buffer.alloc(MAX_BYTES.pem + 10, 0x41));

const refused = (fn: () => unknown, exit: number, re: RegExp): void => {
  const t0 = Date.now();
  assert.throws(fn, (err: unknown) => err instanceof NetdxError && err.exitCode === exit && re.test(err.message) && !err.message.includes('\n'));
  assert.ok(Date.now() - t0 < 2000, 'fails fast');
};

test('readInputFile: a regular file is read', () => {
  const p = join(dir, 'ok.txt');
  writeFileSync(p, 'hello');
  assert.equal(readInputFile(p, { what: '--ca', maxBytes: 100 }).toString(), 'hello');
});

test('readInputFile: /dev/zero is refused at once (not a regular file), exit 64', () => {
  refused(() => readInputFile('/dev/zero', { what: '--ca', maxBytes: MAX_BYTES.pem }), 64, /^--ca '\/dev\/zero': not a regular file \(a character device\)/);
});

test('readInputFile: a FIFO with no writer is refused without blocking, exit 64', () => {
  refused(() => readInputFile(fifo, { what: '--ca', maxBytes: MAX_BYTES.pem }), 64, /not a regular file \(a FIFO\)/);
});

test('readInputFile: a directory is refused, a missing file is exit 3', () => {
  refused(() => readInputFile(dir, { what: '--key', maxBytes: 100 }), 64, /not a regular file \(a directory\)/);
  refused(() => readInputFile(join(dir, 'nope'), { what: '--key', maxBytes: 100 }), 3, /cannot read \(ENOENT\)/);
});

test('readInputFile: a file over the cap is refused, exit 64; the message in both languages, English as the message whatever LANG says', () => {
  refused(() => readInputFile(big, { what: '--ca', maxBytes: MAX_BYTES.pem }), 64, /too large \(4\.0 MiB; at most 4\.0 MiB\)/);
  const was = process.env['LANG'];
  process.env['LANG'] = 'zh_CN.UTF-8';
  try {
    assert.throws(
      () => readInputFile(big, { what: '--ca', maxBytes: MAX_BYTES.pem }),
      (err: unknown) => err instanceof NetdxError && /^--ca '.*': too large/.test(err.message) && /文件过大（4\.0 MiB；上限 4\.0 MiB）/.test(err.zh),
    );
  } finally {
    if (was === undefined) delete process.env['LANG'];
    else process.env['LANG'] = was;
  }
});

test('readPem: --ca /dev/zero, --cert /dev/zero, --key /dev/zero, --ca FIFO are refused with one line', () => {
  refused(() => readPem('/dev/zero', '--ca', 'CERTIFICATE'), 64, /^--ca '\/dev\/zero': not a regular file/);
  refused(() => readPem('/dev/zero', '--cert', 'CERTIFICATE'), 64, /^--cert '\/dev\/zero': not a regular file/);
  refused(() => readPem('/dev/zero', '--key', 'PRIVATE KEY'), 64, /^--key '\/dev\/zero': not a regular file/);
  refused(() => readPem(fifo, '--ca', 'CERTIFICATE'), 64, /not a regular file \(a FIFO\)/);
  refused(() => readPem(big, '--ca', 'CERTIFICATE'), 64, /too large/);
});

test('snapshot files (analyze, firewall check --snapshot): /dev/zero and a FIFO fail fast', async () => {
  for (const p of ['/dev/zero', fifo]) {
    const t0 = Date.now();
    await assert.rejects(readSnapshotFile(p), (err: unknown) => err instanceof NetdxError && err.exitCode === 64 && /not a regular file/.test(err.message));
    assert.ok(Date.now() - t0 < 2000);
  }
});

test('readInputStream: more than the cap is refused', async () => {
  async function* endless(): AsyncGenerator<Buffer> {
    for (;;) yield Buffer.alloc(64 * 1024);
  }
  await assert.rejects(readInputStream(endless(), { what: 'snapshot', maxBytes: 1024 * 1024 }), /snapshot '-': too large/);
});

test('the CLI: netdx diagnose --ca /dev/zero is one line, exit 64, at once', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'netdx.js');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, 'diagnose', '127.0.0.1:1010', '--ca', '/dev/zero', '--tls-min', '1.2'], { encoding: 'utf8', env: { ...process.env, LANG: 'C' }, timeout: 10_000 });
  assert.equal(r.status, 64, r.stderr);
  assert.match(r.stderr, /^netdx: --ca '\/dev\/zero': not a regular file/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(Date.now() - t0 < 5000);
  const s = spawnSync(process.execPath, [bin, 'analyze', '/dev/zero', '--target', '127.0.0.1:80'], { encoding: 'utf8', env: { ...process.env, LANG: 'C' }, timeout: 10_000 });
  assert.equal(s.status, 64, s.stderr);
  assert.match(s.stderr, /not a regular file/);
  const f = spawnSync(process.execPath, [bin, 'firewall', 'check', '--proto', 'tcp', '--dst', '127.0.0.1', '--dport', '80', '--snapshot', fifo], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C' },
    timeout: 10_000,
  });
  assert.equal(f.status, 64, f.stderr);
  assert.match(f.stderr, /not a regular file \(a FIFO\)/);
});
