import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { buildProgram } from './program.js';
import { HELP_ZH, SHARED_ZH, displayWidth, helpInChinese, helpItems, wrapZh, zhFor } from './help-zh.js';
import { englishProse } from '../rules/zh-fixtures.js';

const EN = { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' };

test('every command, option and argument of the whole command tree has a zh help text without English prose', async () => {
  const items = helpItems(await buildProgram(['--help']));
  assert.ok(items.length > 150, `only ${items.length} help items: the walk missed commands`);
  const missing = items.filter((i) => zhFor(i.key, i.en) === undefined).map((i) => `${i.key}  (${JSON.stringify(i.en)})`);
  assert.deepEqual(missing, [], `help texts without zh: add them to HELP_ZH in src/cli/help-zh.ts\n${missing.join('\n')}`);
  const prose = items.flatMap((i) => {
    const p = englishProse(zhFor(i.key, i.en)!.replace(/<[^<>\s]+>/g, ' '));
    return p.length > 0 ? [`${i.key}: ${p.join(' | ')}`] : [];
  });
  assert.deepEqual(prose, [], prose.join('\n'));
});

test('no stale entries: every HELP_ZH key names something the help shows, every SHARED_ZH text is shown somewhere', async () => {
  const items = helpItems(await buildProgram(['--help']));
  const keys = new Set(items.map((i) => i.key));
  const texts = new Set(items.map((i) => i.en));
  assert.deepEqual(
    Object.keys(HELP_ZH).filter((k) => !keys.has(k)),
    [],
  );
  assert.deepEqual(
    Object.keys(SHARED_ZH).filter((en) => !texts.has(en)),
    [],
  );
});

test('the check fails where it should: a new option, argument or command without zh is found', () => {
  const p = new Command('netdx');
  p.command('faults').description('list the fault codes, or explain one (evidence, fix, whether it is checked)').option('--brand-new', 'a new option').argument('[x]', 'a new argument');
  p.command('frobnicate').description('a new command');
  const missing = helpItems(p)
    .filter((i) => zhFor(i.key, i.en) === undefined)
    .map((i) => i.key);
  assert.deepEqual(missing, ['netdx faults <x>', 'netdx faults --brand-new', 'netdx frobnicate']);
});

test('zh help: commander words, default notes, usage words in Chinese; keys reach nested commands', async () => {
  const program = await buildProgram(['lab', 'run', '--help', '--lang', 'zh']);
  const run = program.commands.find((c) => c.name() === 'lab')!.commands.find((c) => c.name() === 'run')!;
  const text = run.helpInformation();
  assert.match(text, /^用法：netdx lab run \[选项\]\n/);
  assert.match(text, /\n选项：\n/);
  assert.match(text, /--repeat <n> +在同一次搭建的实验环境上.*\n.*（默认：1）/);
  assert.match(text, /-h, --help +显示命令的帮助/);
  // a hand-made tree: default, choices and env notes
  const p = new Command('netdx');
  p.command('diagnose').option('--count <n>', 'x', '3').description('d');
  helpInChinese(p);
  const d = p.commands[0]!.helpInformation();
  assert.match(d, /--count <n> +ICMP 回显请求的个数/);
  assert.ok(d.replace(/\s+/g, '').includes('（默认："3"）'), d);
});

test('wrapZh breaks between Chinese characters, never before closing punctuation; displayWidth counts them as two columns', () => {
  assert.equal(displayWidth('ab中文'), 6);
  assert.equal(displayWidth('\x1b[1m中\x1b[0m'), 2);
  const text = '把本机的网络状态（链路、路由、策略规则、邻居、解析器文件、防火墙、sysctl、套接字）写成快照 JSON；只读';
  const lines = wrapZh(text, 40).split('\n');
  assert.ok(lines.length > 1);
  for (const l of lines) {
    assert.ok(displayWidth(l) <= 40, `${l}: ${displayWidth(l)} columns`);
    assert.doesNotMatch(l, /^[，。、；：）」』”》！？]/);
  }
  assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''), 'nothing lost but a space at a break');
  assert.equal(wrapZh('short', 30), 'short', 'below the minimum width: as is');
});

const bin = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../src/cli/fixtures/help-en/${name}.txt`, import.meta.url)), 'utf8');
const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<string> =>
  new Promise((resolve, reject) => execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout) => (err ? reject(err) : resolve(stdout))));

test('English help is byte for byte what it was before the zh catalog (fixtures/help-en, captured from the CLI)', async () => {
  const cases: Array<[string, string[]]> = [
    ['netdx', ['--help']],
    ['netdx-diagnose', ['diagnose', '--help']],
    ['netdx-diagnose', ['help', 'diagnose']],
    ['netdx-firewall-check', ['firewall', 'check', '--help', '--lang', 'en']],
    ['netdx-lab-run', ['lab', 'run', '--help']],
    ['netdx-lab-exec', ['lab', 'exec', '--help']],
    ['netdx-server-token-create', ['server', 'token', 'create', '--help']],
  ];
  for (const [name, args] of cases) assert.equal(await cli(args, EN), fixture(name), `netdx ${args.join(' ')}`);
  // --lang en wins over a Chinese LANG
  assert.equal(await cli(['lab', 'run', '--help', '--lang', 'en'], { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' }), fixture('netdx-lab-run'));
});
