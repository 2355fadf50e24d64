/**
 * What a netdx process runs, whichever bundle it was loaded from: the ES module entry (main.ts) and
 * the diagnosis' CommonJS fast path (bin/netdx.js, decision 069) both call `run` and then `exit`.
 */
import { main } from './program.js';

/** Runs the command line; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  // `netdx faults | head`: a closed pipe ends the output quietly, not with a stack trace.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  return main(argv);
}

/**
 * Exits once the output is flushed: an abandoned getaddrinfo (a dead resolver) must not hold the
 * process for the system resolver's own 5 s × attempts after the report is printed.
 */
export function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/** After a diagnosis: the lazily loaded probes it used (the fast path's code cache records which it holds, decision 069). */
export async function loadedParts(): Promise<string[]> {
  return (await import('../diagnose/live.js')).lazyLoaded();
}
