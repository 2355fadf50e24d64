import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { buildProgram, hoistLang } from './program.js';

const BIN = new URL('../../bin/netdx.js', import.meta.url).pathname;
const runCli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '' } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

const names = async (argv: string[]): Promise<string[]> => (await buildProgram(argv)).commands.map((c) => c.name());

test('only the named command is loaded; help, a typo or no command load them all, in the documented order', async () => {
  assert.deepEqual(await names(['diagnose', '127.0.0.1:1']), ['diagnose']);
  assert.deepEqual(await names(['route', 'explain', '--help']), ['firewall', 'route', 'analyze']);
  const all = ['diagnose', 'faults', 'collect', 'firewall', 'route', 'analyze', 'trace', 'pcap', 'monitor', 'lab', 'load', 'responder', 'server', 'agent'];
  assert.deepEqual(await names([]), all);
  assert.deepEqual(await names(['--help']), all);
  assert.deepEqual(await names(['diagnoze']), all, 'commander needs them all to suggest the right one');
  assert.deepEqual(await names(['--version']), [], '--version needs no command module');
});

test('a diagnosis does not load zod (~95 ms of start-up): only reading files and tests validate with it', async () => {
  const { execFile } = await import('node:child_process');
  const dist = new URL('..', import.meta.url).href;
  // A resolve hook that refuses zod, then the modules `netdx diagnose` loads.
  const hook = `data:text/javascript,export async function resolve(s, c, next) { if (s === 'zod' || s.startsWith('zod/')) throw new Error('zod was imported by ' + c.parentURL); return next(s, c); }`;
  const code = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); for (const m of ['cli/diagnose.js', 'diagnose/live.js', 'diagnose/engine.js', 'report/text.js']) await import(${JSON.stringify(dist)} + m); console.log('ok');`;
  const out = await new Promise<{ stdout: string; stderr: string }>((resolve) => execFile(process.execPath, ['--input-type=module', '-e', code], (_e, stdout, stderr) => resolve({ stdout, stderr })));
  assert.equal(out.stdout.trim(), 'ok', out.stderr);
  // the hook itself works: importing the report schema module is refused
  const neg = code.replace("['cli/diagnose.js', 'diagnose/live.js', 'diagnose/engine.js', 'report/text.js']", "['model/report.js']");
  const bad = await new Promise<{ stdout: string; stderr: string }>((resolve) => execFile(process.execPath, ['--input-type=module', '-e', neg], (_e, stdout, stderr) => resolve({ stdout, stderr })));
  assert.match(bad.stderr, /zod was imported by .*model\/report\.js/);
});

test('`netdx` with no arguments is a usage error: the usage on stderr, exit 64; `netdx --help` is help on stdout, exit 0', async () => {
  const { execFile } = await import('node:child_process');
  const bin = new URL('../../bin/netdx.js', import.meta.url).pathname;
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(process.execPath, [bin, ...args], { env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const none = await run([]);
  assert.equal(none.code, 64);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /^Usage: netdx/);
  assert.match(none.stderr, /netdx: no command given/);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: netdx/);
  assert.equal(help.stderr, '');
});

test('hoistLang: a --lang before the command moves behind it (before a --), and goes when there is no command', () => {
  assert.deepEqual(hoistLang(['--lang', 'zh', 'diagnose', '203.0.113.1']), ['diagnose', '203.0.113.1', '--lang', 'zh']);
  assert.deepEqual(hoistLang(['--lang=zh', 'help', 'diagnose']), ['help', 'diagnose', '--lang=zh']);
  assert.deepEqual(hoistLang(['--lang', 'zh', 'lab', 'exec', 'client', '--', 'ip', '--lang']), ['lab', 'exec', 'client', '--lang', 'zh', '--', 'ip', '--lang']);
  assert.deepEqual(hoistLang(['--lang', 'zh', '--help']), ['--help']);
  assert.deepEqual(hoistLang(['--lang', 'zh']), []);
  assert.deepEqual(hoistLang(['diagnose', '--lang', 'zh', 'x']), ['diagnose', '--lang', 'zh', 'x'], 'after the command: untouched');
  assert.deepEqual(hoistLang(['--lang']), ['--lang'], 'no value: commander names the error');
});

test('netdx --lang zh COMMAND speaks Chinese like COMMAND --lang zh', async () => {
  const a = await runCli(['--lang', 'zh', 'faults', 'TCP-001']);
  const b = await runCli(['faults', 'TCP-001', '--lang', 'zh']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /[\u4e00-\u9fff]/);
  const h = await runCli(['--lang', 'zh', 'help', 'diagnose']);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /[\u4e00-\u9fff]/);
  const u = await runCli(['--lang', 'zh']);
  assert.equal(u.code, 64);
  assert.match(u.stderr, /[\u4e00-\u9fff]/);
});
