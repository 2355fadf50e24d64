/**
 * bin/netdx.js's fast path for `netdx diagnose` (decision 069), on a copy of the install: the
 * CommonJS bundle runs, the first diagnosis writes its V8 code cache, the next ones use it, a bad or
 * stale cache is never trusted, and every other command keeps to the ES module bundle. Only
 * 127.0.0.1 is probed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { execFile } from 'node:child_process';
import { selfSigned } from './testing.js';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'netdx-fast-'));
const BUNDLE = join(dir, 'dist', 'bundle');
const server = net.createServer((s) => s.on('error', () => {}));
let port = 0;
let tlsServer: tls.Server | null = null;
let tlsPort = 0;

before(async () => {
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  // The bundles without any cache the checkout's own runs wrote.
  cpSync(join(ROOT, 'dist', 'bundle'), BUNDLE, { recursive: true, filter: (src) => !src.endsWith('.v8cache') });
  symlinkSync(join(ROOT, 'dist', 'cli'), join(dir, 'dist', 'cli'));
  symlinkSync(join(ROOT, 'build'), join(dir, 'build'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  port = (server.address() as net.AddressInfo).port;
  const { key, cert } = selfSigned(dir, { cn: '127.0.0.1', san: 'IP:127.0.0.1', days: 200 });
  tlsServer = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.on('error', () => {}));
  await new Promise<void>((res) => tlsServer!.listen(0, '127.0.0.1', res));
  tlsPort = (tlsServer.address() as net.AddressInfo).port;
});

after(() => {
  server.close();
  tlsServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(dir, 'bin', 'netdx.js'), ...args], { timeout: 20_000, env: { ...process.env, NO_COLOR: '1', NODE_DEBUG: 'netdx' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** What the bin's debug log says about the fast path: the cache's state, and whether it wrote one. */
function fastPath(stderr: string): { cache: string | null; written: boolean } {
  return { cache: /fast path: .*compile cache (\w+)/.exec(stderr)?.[1] ?? null, written: /compile cache written/.test(stderr) };
}

const caches = (): string[] => readdirSync(BUNDLE).filter((f) => f.endsWith('.v8cache'));

async function diagnose(lead: string[] = [], target = `127.0.0.1:${port}`, tail: string[] = []): Promise<{ verdict: string; cache: string | null; written: boolean }> {
  const r = await cli([...lead, 'diagnose', '--json', target, ...tail]);
  assert.ok(r.stdout.length > 0, `no report (exit ${r.code}, stderr: ${r.stderr})`);
  return { verdict: (JSON.parse(r.stdout) as { verdict: string }).verdict, ...fastPath(r.stderr) };
}

test('the first diagnosis writes the code cache, the next one uses it, and both report the same', async () => {
  const first = await diagnose();
  assert.deepEqual(first, { verdict: 'ok', cache: 'none', written: true });
  assert.equal(caches().length, 1);
  assert.deepEqual(await diagnose(), { verdict: 'ok', cache: 'used', written: false });
  // --lang before the command word: still a diagnosis, still the fast path.
  assert.deepEqual(await diagnose(['--lang', 'zh']), { verdict: 'ok', cache: 'used', written: false });
});

test('a run that loads a probe the cache does not hold yet (TLS after plain TCP) writes it again, once', async () => {
  const ca = ['--ca', join(dir, 'cert.pem')];
  assert.deepEqual(await diagnose([], `tls://127.0.0.1:${tlsPort}`, ca), { verdict: 'ok', cache: 'used', written: true });
  const [name] = caches();
  const parts = JSON.parse(readFileSync(join(BUNDLE, `${name!}.parts`), 'utf8')) as string[];
  assert.ok(parts.includes('tls'), parts.join(' '));
  assert.deepEqual(await diagnose([], `tls://127.0.0.1:${tlsPort}`, ca), { verdict: 'ok', cache: 'used', written: false });
  assert.deepEqual(await diagnose(), { verdict: 'ok', cache: 'used', written: false });
});

test('a damaged cache is rejected and written again; a rebuilt bundle never meets the old cache', async () => {
  await diagnose();
  const [name] = caches();
  assert.ok(name);
  writeFileSync(join(BUNDLE, name), Buffer.alloc(4096, 0x5a));
  assert.deepEqual(await diagnose(), { verdict: 'ok', cache: 'rejected', written: true });
  assert.deepEqual(await diagnose(), { verdict: 'ok', cache: 'used', written: false });
  // Same length, new build time: V8 alone would take the old cache (it checks only the source's length).
  const later = new Date(Date.now() + 5000);
  utimesSync(join(BUNDLE, 'diagnose.cjs'), later, later);
  assert.deepEqual(await diagnose(), { verdict: 'ok', cache: 'none', written: true });
});

test('a usage error writes no cache; other commands run from the ES module bundle', async () => {
  for (const f of caches()) rmSync(join(BUNDLE, f));
  const bad = await cli(['diagnose', 'no such target!']);
  assert.equal(bad.code, 64);
  assert.deepEqual(fastPath(bad.stderr), { cache: 'none', written: false });
  assert.deepEqual(caches(), []);
  const faults = await cli(['faults', 'NET-001']);
  assert.equal(faults.code, 0, faults.stderr);
  assert.match(faults.stdout, /^NET-001 /);
  assert.equal(fastPath(faults.stderr).cache, null);
});

test("an install the user may not write: the cache goes to the user's own cache directory, and is used from there", async () => {
  for (const f of caches()) rmSync(join(BUNDLE, f));
  const home = join(dir, 'xdg');
  mkdirSync(join(home, 'netdx'), { recursive: true });
  // An earlier build's cache in the user's directory: the new one replaces it.
  const stale = join(home, 'netdx', `diagnose.cjs.1700000000000-${process.version}.v8cache`);
  writeFileSync(stale, 'old');
  // As root, the child runs as nobody (root writes anywhere); otherwise the bundle's folder is made read-only.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    for (const d of [home, join(home, 'netdx')]) chownSync(d, 65534, 65534);
  } else chmodSync(BUNDLE, 0o555);
  const run = () =>
    new Promise<{ verdict: string; cache: string | null; written: boolean }>((resolve) =>
      execFile(
        process.execPath,
        [join(dir, 'bin', 'netdx.js'), 'diagnose', '--json', `127.0.0.1:${port}`],
        { timeout: 20_000, ...(asRoot ? { uid: 65534, gid: 65534 } : {}), env: { ...process.env, NODE_DEBUG: 'netdx', XDG_CACHE_HOME: home } },
        (_e, stdout, stderr) => resolve({ verdict: (JSON.parse(stdout) as { verdict: string }).verdict, ...fastPath(stderr) }),
      ),
    );
  try {
    assert.deepEqual(await run(), { verdict: 'ok', cache: 'none', written: true });
    assert.deepEqual(caches(), []);
    const mine = readdirSync(join(home, 'netdx')).filter((f) => f.endsWith('.v8cache'));
    assert.equal(mine.length, 1);
    assert.notEqual(join(home, 'netdx', mine[0]!), stale);
    assert.deepEqual(await run(), { verdict: 'ok', cache: 'used', written: false });
  } finally {
    if (!asRoot) chmodSync(BUNDLE, 0o755);
  }
});

test('the report the fast path prints, in Chinese, reads as the unbundled one does (numbers aside)', async () => {
  const text = (env: NodeJS.ProcessEnv) =>
    new Promise<string>((resolve) =>
      execFile(process.execPath, [join(dir, 'bin', 'netdx.js'), '--lang', 'zh', 'diagnose', `127.0.0.1:${port}`], { env: { ...process.env, NO_COLOR: '1', ...env } }, (_e, stdout) =>
        resolve(stdout.replace(/ *\d+/g, ' N')),
      ),
    );
  const [fastText, plain] = await Promise.all([text({}), text({ NETDX_NO_BUNDLE: '1' })]);
  assert.match(fastText, /[\u4e00-\u9fff]/);
  assert.equal(fastText, plain);
});

test('NETDX_NO_BUNDLE and a TypeScript build newer than the bundle both leave the fast path', async () => {
  const noBundle = await new Promise<string>((resolve) =>
    execFile(process.execPath, [join(dir, 'bin', 'netdx.js'), 'diagnose', '--json', `127.0.0.1:${port}`], { env: { ...process.env, NODE_DEBUG: 'netdx', NETDX_NO_BUNDLE: '1' } }, (_e, _o, stderr) =>
      resolve(stderr),
    ),
  );
  assert.equal(fastPath(noBundle).cache, null);
  writeFileSync(join(dir, 'dist', '.tsbuildinfo'), '{}');
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'dist', '.tsbuildinfo'), later, later);
  const r = await diagnose();
  assert.equal(r.verdict, 'ok');
  assert.equal(r.cache, null);
});
