/**
 * netdx command line: wiring only. Each command lives in its own file and exports `register`.
 * User errors print one line on stderr and exit with the documented code; stack traces are for bugs.
 */
import { Command, CommanderError } from 'commander';
import { NetdxError, EXIT } from '../model/errors.js';
import { envLang, type Lang } from '../model/layer.js';
type Register = (program: Command) => void;

/** Each command's module, loaded only when needed: `netdx diagnose` does not pay for the lab or the analyzers. */
const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  diagnose: () => import('./diagnose.js'),
  faults: () => import('./faults.js'),
  collect: () => import('./collect.js'),
  analyze: () => import('./analyze.js'),
  // analyze.ts also registers the `firewall` and `route` commands.
  firewall: () => import('./analyze.js'),
  route: () => import('./analyze.js'),
  trace: () => import('./trace.js'),
  pcap: () => import('./pcap.js'),
  lab: () => import('./lab.js'),
  monitor: () => import('./monitor.js'),
  load: () => import('./load.js'),
  responder: () => import('./responder.js'),
  server: () => import('./fleet.js'),
  agent: () => import('./fleet.js'),
};
const ORDER = ['diagnose', 'faults', 'collect', 'analyze', 'trace', 'pcap', 'monitor', 'lab', 'load', 'responder', 'server'];

/**
 * The program with the command named in argv registered (or every command, for help, a typo
 * or no command at all, so that commander lists them or names the unknown one).
 */
export async function buildProgram(argv: readonly string[] = [], lang: Lang = argvLang(argv)): Promise<Command> {
  const program = new Command();
  program
    .name('netdx')
    .description('Finds out why a client cannot talk to its server: root cause, evidence, fix.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: () => {
        /* printed once by main() */
      },
    })
    .showHelpAfterError(false);
  const first = argv.find((a) => !a.startsWith('-'));
  const versionOnly = first === undefined && argv.some((a) => a === '-V' || a === '--version');
  const load = versionOnly ? [] : first !== undefined && Object.hasOwn(COMMANDS, first) ? [COMMANDS[first]!] : ORDER.map((n) => COMMANDS[n]!);
  for (const mod of await Promise.all(load.map((l) => l()))) mod.register(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  // The help speaks the chosen language; the commands keep their English descriptions (help-zh.ts).
  if (lang === 'zh') (await import('./help-zh.js')).helpInChinese(program);
  return program;
}

function oneLine(s: string): string {
  return s
    .replace(/^error:\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The language of the messages: --lang (or --lang=) on the command line, else LC_ALL / LC_MESSAGES / LANG. */
export function argvLang(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Lang {
  let v: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--lang') v = argv[i + 1];
    else if (a.startsWith('--lang=')) v = a.slice('--lang='.length);
  }
  return v === 'zh' || v === 'en' ? v : envLang(env);
}

/** A commander usage error in the user's language (commander itself speaks English). */
export async function commanderMessage(err: CommanderError, lang: Lang): Promise<string> {
  const en = oneLine(err.message);
  if (lang === 'en') return en;
  const { t } = await import('../report/i18n.js');
  const quoted = [...err.message.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  const similar = /\(Did you mean (.+)\?\)/.exec(err.message)?.[1];
  const hint = similar ? t(lang, 'cli.didYouMean', { name: similar }) : '';
  switch (err.code) {
    case 'commander.unknownOption':
      return t(lang, 'cli.unknownOption', { name: quoted[0] ?? '', hint });
    case 'commander.unknownCommand':
      return t(lang, 'cli.unknownCommand', { name: quoted[0] ?? '', hint });
    case 'commander.missingArgument':
      return t(lang, 'cli.missingArgument', { name: quoted[0] ?? '' });
    case 'commander.optionMissingArgument':
      return t(lang, 'cli.optionMissingArgument', { name: quoted[0] ?? '' });
    case 'commander.missingMandatoryOptionValue':
      return t(lang, 'cli.missingOption', { name: quoted[0] ?? '' });
    case 'commander.conflictingOption':
      return t(lang, 'cli.conflictingOption', { a: quoted[0] ?? '', b: quoted[1] ?? '' });
    case 'commander.excessArguments': {
      const n = /Expected (\d+) arguments? but got (\d+)/.exec(err.message);
      return t(lang, 'cli.excessArguments', { expected: n?.[1] ?? '?', got: n?.[2] ?? '?' });
    }
    case 'commander.invalidArgument':
      return t(lang, 'cli.invalidArgument', { name: quoted[0] ?? '', value: quoted[1] ?? '' });
    default:
      return en;
  }
}

/**
 * `netdx --lang zh diagnose …`: a --lang given before the command moves behind it, where every
 * command reads its own --lang (before a `--` that ends the options). Without a command it is
 * dropped: argvLang still sees it in the original argv (the usage and help speak it).
 */
export function hoistLang(argv: readonly string[]): string[] {
  const lead: string[] = [];
  let i = 0;
  const rest: string[] = [];
  for (; i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--'; i++) {
    const a = argv[i]!;
    if (a === '--lang' && i + 1 < argv.length) lead.push(a, argv[++i]!);
    else if (a.startsWith('--lang=')) lead.push(a);
    else rest.push(a);
  }
  if (lead.length === 0) return [...argv];
  const after = argv.slice(i);
  if (after.length === 0 || after[0] === '--') return [...rest, ...after];
  const end = after.indexOf('--');
  return end < 0 ? [...rest, ...after, ...lead] : [...rest, ...after.slice(0, end), ...lead, ...after.slice(end)];
}

export async function main(given: string[]): Promise<number> {
  const argv = hoistLang(given);
  const program = await buildProgram(argv, argvLang(given));
  // No command at all is incomplete input: the usage on stderr and exit 64, like every other usage
  // error (`netdx --help` asks for help: stdout, exit 0).
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    const { t } = await import('../report/i18n.js');
    process.stderr.write(`netdx: ${t(argvLang(given), 'cli.noCommand', {})}\n`);
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const lang = argvLang(given);
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      process.stderr.write(`netdx: ${await commanderMessage(err, lang)}\n`);
      return EXIT.usage;
    }
    if (err instanceof NetdxError) {
      process.stderr.write(`netdx: ${oneLine(err.text(lang))}\n`);
      return err.exitCode;
    }
    const { t } = await import('../report/i18n.js');
    process.stderr.write(`netdx: ${t(lang, 'cli.internal')}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.cannot;
  }
}
