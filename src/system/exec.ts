/**
 * Running the collectors' commands: execFile (never a shell), a deadline per command, the C
 * locale (the kernel's error strings are translated by libc otherwise), and /usr/sbin:/sbin on
 * the PATH (iptables-save and friends live there). The function type is the seam the tests fake.
 * A probe passes its context (`probeExecOptions(ctx)`): the command dies with the probe's budget.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** The C locale and the sbin folders on the PATH; which tools are installed, known without a fork. */
function toolEnv(options: { path?: string; env?: NodeJS.ProcessEnv }): { env: NodeJS.ProcessEnv; installed: (file: string) => boolean } {
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
  return { env, installed };
}

export function makeExec(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): ExecFn {
  return execWith(toolEnv(options));
}

/** One spawn per command, in the given environment. */
function execWith({ env, installed }: ReturnType<typeof toolEnv>): ExecFn {
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

const shQuote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Starts a child in a process group of its own with its stdio on /dev/null: its pid and a promise
 * that settles when it has exited; null when it cannot (node's spawn is used then). The raw-network
 * addon gives one without a fork of this process (src/native/spawn.ts); the caller injects it.
 */
export type DetachedSpawn = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => { pid: number; exited: Promise<void> } | null;

/** Node's spawn, detached (its own process group), output ignored. */
function nodeSpawn(file: string, args: readonly string[], env: NodeJS.ProcessEnv): { pid: number | undefined; exited: Promise<boolean> } {
  const child = spawn(file, [...args], { env, stdio: 'ignore', detached: true, windowsHide: true });
  return { pid: child.pid, exited: new Promise((resolve) => (child.once('error', () => resolve(false)), child.once('exit', () => resolve(true)))) };
}

/**
 * An ExecFn for many commands started together (the snapshot's collectors): the calls made in one
 * turn of the event loop run in one `sh`, in parallel, instead of one spawn each — node's spawn
 * forks the whole process on the main thread (~7 ms each on a small VM; ten collectors cost ~80 ms
 * there, one shell ~45 ms). Each command's stdout, stderr and exit code come back separately; a
 * command that outlives the longest deadline ends the batch: the shell and what it started are
 * killed, those still running are 'timeout', those done keep their answers. Any batch the shell
 * cannot run falls back to one spawn per command. `tmp`: where batch folders are made (the system's
 * temporary folder by default). `spawn`: how the shell is started (node's spawn by default).
 */
export function makeBatchingExec(options: { path?: string; env?: NodeJS.ProcessEnv; tmp?: string; spawn?: DetachedSpawn } = {}): ExecFn {
  const te = toolEnv(options);
  const { env, installed } = te;
  const single = execWith(te);
  interface Call {
    file: string;
    args: readonly string[];
    opts: ExecOptions;
    resolve: (r: ExecResult) => void;
    /** Its own deadline, when it is shorter than the batch's. */
    timer?: NodeJS.Timeout;
  }
  let queue: Call[] = [];
  const flush = (): void => {
    const calls = queue;
    queue = [];
    if (calls.length === 1) {
      const c = calls[0]!;
      void single(c.file, c.args, c.opts).then(c.resolve);
      return;
    }
    // Every command writes its output and its exit status to files of its own, in a folder this
    // process makes and reads back (no mktemp, cat or rm: each fork and exec is ~4 ms of CPU here).
    let dir: string;
    try {
      dir = mkdtempSync(join(options.tmp ?? tmpdir(), 'netdx-batch-'));
    } catch {
      for (const c of calls) void single(c.file, c.args, c.opts).then(c.resolve);
      return;
    }
    const at = (i: number, ext: string): string => shQuote(join(dir, `${i}.${ext}`));
    const lines = calls.map((c, i) => `( ${[c.file, ...c.args].map(shQuote).join(' ')} >${at(i, 'o')} 2>${at(i, 'e')} </dev/null; echo $? >${at(i, 'c')} ) &`);
    lines.push('wait');
    const timeout = Math.max(...calls.map((c) => c.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    // A call with a shorter deadline than the batch's ends at its own (its answer is then 'timeout'); the batch goes on for the others.
    for (const c of calls) {
      const own = c.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (own < timeout) {
        c.timer = setTimeout(() => c.resolve({ stdout: '', stderr: '', code: null, failure: 'timeout' }), own);
        c.timer.unref();
      }
    }
    // Its own process group: a batch past its deadline is killed with the commands it started.
    const script = ['-c', lines.join('\n')];
    const fast = options.spawn?.('sh', script, env);
    const child = fast ? { pid: fast.pid, exited: fast.exited.then(() => true) } : nodeSpawn('sh', script, env);
    let killed = false;
    let finished = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      // Should its exit never be seen, the answers are read anyway a second later.
      setTimeout(() => done(true), 1000).unref();
    }, timeout);
    const done = (ran: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const results = calls.map((_, i) => (ran ? readBatchResult(dir, i) : null));
      rmSync(dir, { recursive: true, force: true });
      calls.forEach((c, i) => {
        const r = results[i];
        if (r) c.resolve(r);
        else if (killed) c.resolve({ stdout: '', stderr: '', code: null, failure: 'timeout' });
        else void single(c.file, c.args, c.opts).then(c.resolve);
      });
    };
    void child.exited.then(done);
  };
  return (file, args, opts = {}) =>
    new Promise((resolve) => {
      if (!installed(file)) return resolve({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
      // A call that wants its own kill signal (ping's SIGINT for its statistics) runs on its own.
      if (opts.killSignal) return void single(file, args, opts).then(resolve);
      const timedOut: ExecResult = { stdout: '', stderr: '', code: null, failure: 'timeout' };
      if (opts.signal?.aborted) return resolve(timedOut);
      // In a batch, a call still ends at its abort (its answer is then 'timeout'); the batch goes on for the others.
      const call: Call = {
        file,
        args,
        opts,
        resolve: (r) => {
          if (call.timer) clearTimeout(call.timer);
          opts.signal?.removeEventListener('abort', abort);
          resolve(r);
        },
      };
      const abort = (): void => call.resolve(timedOut);
      opts.signal?.addEventListener('abort', abort, { once: true });
      if (queue.length === 0) setImmediate(flush);
      queue.push(call);
    });
}

/** One command's answer in a batch folder (I.o, I.e, I.c: stdout, stderr, exit status); null when it did not finish. sh's 126/127: found on the PATH but not runnable / gone. */
export function readBatchResult(dir: string, i: number): ExecResult | null {
  const read = (ext: string): string | null => {
    try {
      return readFileSync(join(dir, `${i}.${ext}`), 'utf8');
    } catch {
      return null;
    }
  };
  const status = read('c');
  const code = status === null ? NaN : Number(status.trim());
  if (status === null || status.trim() === '' || !Number.isInteger(code)) return null;
  return {
    stdout: read('o') ?? '',
    stderr: read('e') ?? '',
    code: code === 127 || code === 126 ? null : code,
    failure: code === 127 ? 'ENOENT' : code === 126 ? 'EACCES' : null,
  };
}

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

/**
 * The process' batching exec: commands asked in the same turn of the event loop run in one shell
 * (the snapshot's collectors, the walk's first route lookup), not one spawn each.
 * NETDX_EXEC_BATCH=0: one spawn each, for comparison.
 */
export const batchedExec: ExecFn = process.env.NETDX_EXEC_BATCH === '0' ? defaultExec : makeBatchingExec();
