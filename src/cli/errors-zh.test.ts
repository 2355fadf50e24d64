/**
 * Usage errors speak the reader's language: every bad input of every command gives one line on
 * stderr, in zh with --lang zh (or LANG=zh_CN), with no untranslated English prose, and the
 * documented exit status. Nothing here sends a packet: each input fails while it is parsed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './program.js';
import { assertNoEnglish } from '../report/prose.js';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((s: string | Uint8Array) => {
    err += String(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, err };
  } finally {
    process.stderr.write = write;
    process.env = saved;
    process.exitCode = undefined;
  }
}

const BAD: Array<[string[], number]> = [
  [['diagnose'], 64],
  [['diagnose', 'x:99999'], 64],
  [['diagnose', 'ftp://x'], 64],
  [['diagnose', '[2001:db8::1'], 64],
  [['diagnose', 'a.lab.test', '--bogus'], 64],
  [['diagnose', 'a.lab.test', 'b'], 64],
  [['diagnose', 'a.lab.test', '--port'], 64],
  [['diagnose', 'a.lab.test:443', '--timeout', 'soon'], 64],
  [['diagnose', 'a.lab.test:443', '--protocol', 'sctp'], 64],
  [['diagnose', 'a.lab.test:443', '--pin', 'md5:00'], 64],
  [['diagnose', 'a.lab.test:443', '--cert', 'c.pem'], 64],
  [['diagnose', 'a.lab.test:443', '--ca', '/nonexistent/ca.pem'], 3],
  [['diagnose', 'a.lab.test:443', '--tls-min', '1.3', '--tls-max', '1.2'], 64],
  [['diagnose', 'a.lab.test:443', '--heartbeat', 'send=PING'], 64],
  [['diagnose', 'a.lab.test:443', '--format', 'xml'], 64],
  [['frobnicate'], 64],
  [['faults', 'NET-999'], 64],
  [['faults', '--json', '--markdown'], 64],
  [['trace', '203.0.113.10', '--proto', 'sctp'], 64],
  [['trace', '203.0.113.10', '--max-hops', '0'], 64],
  [['analyze', '/nonexistent/snap.json', '--target', '203.0.113.10'], 3],
  [['firewall', 'check', '--proto', 'sctp', '--dst', '203.0.113.10'], 64],
  [['firewall', 'check', '--proto', 'tcp'], 64],
  [['firewall', 'check', '--proto', 'tcp', '--dst', '203.0.113.10'], 64],
  [['route', 'explain', 'nowhere'], 64],
  [['collect', '--only', 'everything'], 64],
  [['lab', 'exec', 'nohost', '--', 'true'], 64],
];

for (const [argv, code] of BAD) {
  test(`zh usage error: netdx ${argv.join(' ')}`, async () => {
    // collect and lab have no --lang: LANG decides for them.
    const hasLang = !['collect', 'lab'].includes(argv[0]!);
    const zh = hasLang ? await run([...argv, '--lang', 'zh']) : await run(argv, { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' });
    const env = await run(argv, { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' });
    const en = await run(argv, { LANG: 'C', LC_ALL: '', LC_MESSAGES: '' });
    for (const r of [zh, env, en]) {
      assert.equal(r.code, code, r.err);
      assert.match(r.err, /^netdx: [^\n]+\n$/, 'one line');
    }
    assert.equal(zh.err.replace(/'--lang'|--lang/g, ''), zh.err, 'the --lang option itself is never the complaint');
    assertNoEnglish(env.err.replace(/^netdx: /, ''), `netdx ${argv.join(' ')}`);
    assert.notEqual(en.err, env.err, 'en and zh differ');
  });
}
