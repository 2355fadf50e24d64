/**
 * netdx command line: wiring only. Each command lives in its own file and exports `register`.
 * User errors print one line on stderr and exit with the documented code; stack traces are for bugs.
 */
import { Command, CommanderError } from 'commander';
import { NetdxError, EXIT } from '../model/errors.js';
import { register as registerDiagnose } from './diagnose.js';
import { register as registerFaults } from './faults.js';
import { register as registerCollect } from './collect.js';
import { register as registerLab } from './lab.js';
import { register as registerAnalyze } from './analyze.js';
import { register as registerTrace } from './trace.js';

export function buildProgram(): Command {
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
  registerDiagnose(program);
  registerFaults(program);
  registerCollect(program);
  registerAnalyze(program);
  registerTrace(program);
  registerLab(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

function oneLine(s: string): string {
  return s.replace(/^error:\s*/i, '').replace(/\s+/g, ' ').trim();
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      process.stderr.write(`netdx: ${oneLine(err.message)}\n`);
      return EXIT.usage;
    }
    if (err instanceof NetdxError) {
      process.stderr.write(`netdx: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`netdx: internal error (a bug, please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.cannot;
  }
}



