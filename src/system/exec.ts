/**
 * Running the collectors' commands: execFile (never a shell), a deadline per command, the C
 * locale (the kernel's error strings are translated by libc otherwise), and /usr/sbin:/sbin on
 * the PATH (iptables-save and friends live there). The function type is the seam the tests fake.
 * A probe passes its context (`probeExecOptions(ctx)`): the command dies with the probe's budget.
 */
import { weakRandomHex } from '../model/builtin.js';
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
 * An ExecFn for many commands started together (the snapshot's collectors): the calls made in one
 * turn of the event loop run in one `sh`, in parallel, instead of one spawn each — node's spawn
 * forks the whole process on the main thread (~7 ms each on a small VM; ten collectors cost ~80 ms
 * there, one shell ~45 ms). Each command's stdout, stderr and exit code come back separately; a
 * command that outlives the longest deadline ends the batch (those still running: 'timeout'). Calls
 * with a signal, and any batch the shell cannot run, fall back to one spawn per command.
 */
export function makeBatchingExec(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): ExecFn {
  const te = toolEnv(options);
  const { env, installed } = te;
  const single = execWith(te);
  interface Call {
    file: string;
    args: readonly string[];
    opts: ExecOptions;
    resolve: (r: ExecResult) => void;
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
    // Every command writes its own files; one `cat` at the end (no fork per command there), each
    // part framed by a random token that no output contains.
    // Unguessable to the commands (they never see this process' Math.random); node:crypto is not loaded for it.
    const token = `@@ndx-${weakRandomHex()}`;
    const lines = ['d=$(mktemp -d) || exit 97', 'trap \'rm -rf "$d"\' EXIT'];
    calls.forEach((c, i) =>
      lines.push(
        `( ${[c.file, ...c.args].map(shQuote).join(' ')} >"$d/${i}.o" 2>"$d/${i}.e" </dev/null; printf '%s\\n' "${token} ${i} $? o" >"$d/${i}.h"; printf '%s\\n' "${token} ${i} e" >"$d/${i}.m" ) &`,
      ),
    );
    lines.push('wait');
    lines.push(`cat ${calls.map((_, i) => `"$d/${i}.h" "$d/${i}.o" "$d/${i}.m" "$d/${i}.e"`).join(' ')}`);
    const timeout = Math.max(...calls.map((c) => c.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    execFile('sh', ['-c', lines.join('\n')], { env, timeout, killSignal: 'SIGKILL', maxBuffer: MAX_BUFFER * 2, encoding: 'buffer', windowsHide: true }, (err, stdout) => {
      const results = parseBatch(stdout ?? Buffer.alloc(0), calls.length, token);
      if (results === null) {
        if (err && ((err as { killed?: boolean }).killed || (err as { signal?: string }).signal === 'SIGKILL')) {
          for (const c of calls) c.resolve({ stdout: '', stderr: '', code: null, failure: 'timeout' });
        } else for (const c of calls) void single(c.file, c.args, c.opts).then(c.resolve);
        return;
      }
      calls.forEach((c, i) => c.resolve(results[i]!));
    });
  };
  return (file, args, opts = {}) =>
    new Promise((resolve) => {
      if (!installed(file)) return resolve({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
      // A call that wants its own kill signal (ping's SIGINT for its statistics) runs on its own.
      if (opts.killSignal) return void single(file, args, opts).then(resolve);
      const timedOut: ExecResult = { stdout: '', stderr: '', code: null, failure: 'timeout' };
      if (opts.signal?.aborted) return resolve(timedOut);
      // In a batch, a call still ends at its own deadline or abort (its answer is then 'timeout'); the batch goes on for the others.
      const timer = setTimeout(() => resolve(timedOut), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      timer.unref();
      const abort = (): void => resolve(timedOut);
      opts.signal?.addEventListener('abort', abort, { once: true });
      if (queue.length === 0) setImmediate(flush);
      queue.push({
        file,
        args,
        opts,
        resolve: (r) => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', abort);
          resolve(r);
        },
      });
    });
}

/** The batch's output: per command `TOKEN I RC o` + stdout, then `TOKEN I e` + stderr; null unless every command is there. */
export function parseBatch(out: Buffer, n: number, token: string): ExecResult[] | null {
  const res: Array<ExecResult | undefined> = Array.from({ length: n }, () => undefined);
  const tok = Buffer.from(token, 'latin1');
  let at = out.indexOf(tok);
  while (at >= 0) {
    const nl = out.indexOf(10, at);
    if (nl < 0) return null;
    const head = out
      .toString('latin1', at + tok.length, nl)
      .trim()
      .split(' ');
    const next = out.indexOf(tok, nl + 1);
    const body = out.toString('utf8', nl + 1, next < 0 ? out.length : next);
    const i = Number(head[0]);
    if (!Number.isInteger(i) || i < 0 || i >= n) return null;
    if (head.length === 3 && head[2] === 'o') {
      // `I RC o`: the exit code and stdout; sh's 126/127: found on the PATH but not runnable / gone
      const code = Number(head[1]);
      if (!Number.isInteger(code)) return null;
      res[i] = { stdout: body, stderr: '', code: code === 127 || code === 126 ? null : code, failure: code === 127 ? 'ENOENT' : code === 126 ? 'EACCES' : null };
    } else if (head.length === 2 && head[1] === 'e') {
      const r = res[i];
      if (!r) return null;
      r.stderr = body;
    } else return null;
    at = next;
  }
  return res.every((r) => r !== undefined) ? (res as ExecResult[]) : null;
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
