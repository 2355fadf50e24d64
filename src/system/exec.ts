/**
 * Running the collectors' commands: execFile (never a shell), a deadline per command, the C
 * locale (the kernel's error strings are translated by libc otherwise), and /usr/sbin:/sbin on
 * the PATH (iptables-save and friends live there). The function type is the seam the tests fake.
 * A probe passes its context (`probeExecOptions(ctx)`): the command dies with the probe's budget.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the command did not run or was killed. */
  code: number | null;
  /** Why it did not run to completion: 'ENOENT' (not installed), 'EACCES', 'timeout', or another errno name. */
  failure: string | null;
}

export interface ExecOptions {
  /** Deadline for this command (ms); 2000 by default. */
  timeoutMs?: number;
  /** The probe's signal: aborting it kills the command (reported as a timeout: the budget is spent). */
  signal?: AbortSignal;
  /**
   * The signal sent on abort or timeout (default SIGTERM); SIGKILL follows 300 ms later if the
   * command is still running. `ping` prints its statistics on SIGINT: what was received so far.
   */
  killSignal?: NodeJS.Signals;
}

export type ExecFn = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Exec options for a probe: its signal, and a deadline no longer than its budget (nor than `capMs`). */
export function probeExecOptions(ctx: { signal: AbortSignal; budgetMs: number }, capMs = DEFAULT_TIMEOUT_MS): ExecOptions {
  return { signal: ctx.signal, timeoutMs: Math.max(1, Math.min(capMs, Math.round(ctx.budgetMs))) };
}

export const DEFAULT_TIMEOUT_MS = 2000;
const MAX_BUFFER = 64 * 1024 * 1024;

export function makeExec(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): ExecFn {
  const base = options.env ?? process.env;
  const path = options.path ?? [base['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', '/usr/sbin', '/sbin'].join(':');
  const env: NodeJS.ProcessEnv = { ...base, PATH: path, LC_ALL: 'C', LANG: 'C' };
  // A tool that is not installed is known from the PATH without a fork (each spawn costs the
  // diagnosis ~2 ms of main-thread time; ufw and ipset are absent on most machines).
  const dirs = path.split(':').filter((d) => d.startsWith('/'));
  const found = new Map<string, boolean>();
  const installed = (file: string): boolean => {
    if (file.includes('/')) return true;
    let yes = found.get(file);
    if (yes === undefined) {
      yes = dirs.some((d) => {
        try {
          accessSync(join(d, file), fsConstants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
      found.set(file, yes);
    }
    return yes;
  };
  return (file, args, opts = {}) =>
    new Promise((resolve) => {
      if (!installed(file)) return resolve({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
      if (opts.signal?.aborted) return resolve({ stdout: '', stderr: '', code: null, failure: 'timeout' });
      const killSignal = opts.killSignal ?? 'SIGTERM';
      let stopped = false;
      let force: NodeJS.Timeout | undefined;
      // The abort is handled here, not by execFile's `signal` (which drops the output written after the kill).
      const stop = (): void => {
        stopped = true;
        child.kill(killSignal);
        force = setTimeout(() => child.kill('SIGKILL'), 300);
        force.unref();
      };
      const child = execFile(file, [...args], { env, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal, maxBuffer: MAX_BUFFER, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
        opts.signal?.removeEventListener('abort', stop);
        if (force) clearTimeout(force);
        if (!err) return resolve({ stdout, stderr, code: 0, failure: stopped ? 'timeout' : null });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
        if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code, failure: stopped ? 'timeout' : null });
        const failure = stopped || e.killed || e.signal === killSignal || e.signal === 'SIGKILL' ? 'timeout' : typeof e.code === 'string' ? e.code : 'error';
        resolve({ stdout: stdout ?? '', stderr: stderr ?? '', code: null, failure });
      });
      opts.signal?.addEventListener('abort', stop, { once: true });
    });
}

/** The shared default (process PATH plus the sbin folders). */
export const defaultExec: ExecFn = makeExec();

/** One line saying why a command gave no usable output; null when it succeeded. */
export function execProblem(tool: string, r: ExecResult, timeoutMs = DEFAULT_TIMEOUT_MS): string | null {
  if (r.failure === 'ENOENT') return `${tool} not installed`;
  if (r.failure === 'EACCES' || r.failure === 'EPERM') return `${tool}: permission denied`;
  if (r.failure === 'timeout') return `${tool} timed out after ${timeoutMs} ms`;
  if (r.failure === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return `${tool}: output too large`;
  if (r.failure !== null) return `${tool} failed to run (${r.failure})`;
  if (r.code !== 0) {
    const first = r.stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0);
    return `${tool} exited with code ${r.code}${first ? `: ${first.slice(0, 200)}` : ''}`;
  }
  return null;
}

/** A command that did not run to a zero exit (the older, throwing interface below). */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly code: string | number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/**
 * Throwing variant for callers that only want stdout: resolves on exit code 0, rejects with an
 * ExecError carrying the one-line reason (`execProblem`) and stderr otherwise.
 */
export async function execTool(file: string, args: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ stdout: string; stderr: string }> {
  const r = await defaultExec(file, args, { timeoutMs });
  const problem = execProblem(file, r, timeoutMs);
  if (problem !== null) throw new ExecError(problem, r.failure ?? r.code, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}
