/**
 * netdx command line: wiring only. Each command lives in its own file and exports `register`.
 * User errors print one line on stderr and exit with the documented code; stack traces are for bugs.
 */
import { Command, CommanderError } from 'commander';
import { NetdxError, EXIT } from '../model/errors.js';
import { E } from '../model/error-messages.js';
import { renderMsg, type Msg } from '../model/message.js';
import type { Lang } from '../model/layer.js';
import { detectLang } from '../report/i18n.js';
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
  lab: () => import('./lab.js'),
};
const ORDER = ['diagnose', 'faults', 'collect', 'analyze', 'trace', 'lab'];

/**
 * The program with the command named in argv registered (or every command, for help, a typo
 * or no command at all, so that commander lists them or names the unknown one).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
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
  return program;
}

function oneLine(s: string): string {
  return s.replace(/^error:\s*/i, '').replace(/\s+/g, ' ').trim();
}

/** The language of the error line: --lang zh|en anywhere in argv (even when the rest is wrong), else LANG. */
export function errorLang(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Lang {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const v = i < 0 ? undefined : argv[i]!.startsWith('--lang=') ? argv[i]!.slice(7) : argv[i + 1];
  return v === 'zh' || v === 'en' ? v : detectLang(undefined, env);
}

/** commander's own error messages (English) as catalog messages; unknown shapes stay as they are. */
export function commanderMessage(err: CommanderError): Msg | null {
  const text = oneLine(err.message);
  const q = [...text.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  const mean = /\(Did you mean (.+?)\?\)/.exec(text)?.[1];
  switch (err.code) {
    case 'commander.unknownOption':
      return mean ? E('unknownOptionDidYouMean', { option: q[0] ?? '', suggestion: mean }) : E('unknownOption', { option: q[0] ?? '' });
    case 'commander.unknownCommand':
      return mean ? E('unknownCommandDidYouMean', { command: q[0] ?? '', suggestion: mean }) : E('unknownCommand', { command: q[0] ?? '' });
    case 'commander.missingArgument':
      return E('missingArgument', { name: q[0] ?? '' });
    case 'commander.optionMissingArgument':
      return E('optionArgument', { option: q[0] ?? '' });
    case 'commander.missingMandatoryOptionValue':
      return E('mandatoryOption', { option: q[0] ?? '' });
    case 'commander.excessArguments': {
      const n = /Expected (\d+) arguments? but got (\d+)/.exec(text);
      if (!n) return null;
      return q[0] ? E('excessArguments', { command: q[0], expected: Number(n[1]), got: Number(n[2]) }) : E('excessArgumentsTop', { expected: Number(n[1]), got: Number(n[2]) });
    }
    default:
      return null;
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  const lang = errorLang(argv);
  const say = (m: Msg | null | undefined, fallback: string): void => {
    process.stderr.write(`netdx: ${oneLine(m ? renderMsg(m, lang) : fallback)}\n`);
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      say(commanderMessage(err), err.message);
      return EXIT.usage;
    }
    if (err instanceof NetdxError) {
      say(err.msg, err.message);
      return err.exitCode;
    }
    say(E('internal', { detail: err instanceof Error ? (err.stack ?? err.message) : String(err) }), '');
    return EXIT.cannot;
  }
}



