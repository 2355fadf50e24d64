/**
 * Process helpers of the lab: run a command (optionally inside a lab namespace) and collect its
 * output, or start a long-running service inside a namespace with its output in a log file.
 * Only lab namespaces (`ndx-lab-…`) are ever entered; nothing here touches the root namespace's
 * network configuration.
 */
import { execFile, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program and resolves with its exit code and output; never rejects for a non-zero exit. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 30_000, killSignal: 'SIGKILL', env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (e && typeof e.code === 'string') return reject(new Error(`${file}: ${e.message}`));
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr, ms: Date.now() - t0 });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Runs a program and returns stdout; throws with the command and its stderr when it fails. */
export async function must(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`${[file, ...args].join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** argv to run `argv` inside namespace `ns`. */
export const inNs = (ns: string, argv: readonly string[]): string[] => ['netns', 'exec', ns, ...argv];

/**
 * Starts a service inside a namespace, detached (own process group) so that a `lab up` can exit
 * and leave it running; stdout and stderr go to `log`. Resolves once the process has spawned.
 */
export function startService(ns: string, argv: readonly string[], log: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const fd = openSync(log, 'a');
  try {
    const child = spawn('ip', inNs(ns, argv), { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
    child.unref();
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
  } finally {
    closeSync(fd);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
