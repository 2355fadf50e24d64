/**
 * Runs scenarios against a running lab, one at a time on the one topology: inject, run
 * `netdx diagnose --json` inside the scenario's client host (a clean environment, the lab's own
 * resolv.conf), judge the report, revert. A scenario whose injection or revert fails is a failed
 * run with the reason, never a silent pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from './lab.js';
import { evaluate, whyOf, type ReportView, type RunRecord } from './evaluate.js';
import { renderLab, type LabMessage } from './messages.js';
import { fillArgs, type Scenario } from './scenario.js';
import { inNs, run } from './exec.js';
import { zhProseLines } from './zh-check.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bin/netdx.js of this checkout (dist/lab → ../../bin). */
export const NETDX_BIN = join(here, '..', '..', 'bin', 'netdx.js');

const DIAGNOSE_TIMEOUT_MS = 40_000;
/** How long netdx may take to exit after its report is complete before the lab stops waiting. */
const EXIT_GRACE_MS = 1000;

export interface DiagnoseProcess {
  code: number | null;
  stdout: string;
  stderr: string;
  /** netdx printed its whole report but had not exited EXIT_GRACE_MS later (it was then killed). */
  lingered: boolean;
}

/**
 * Runs `netdx diagnose --json` inside a host in its own process group. Once the JSON report is
 * complete, netdx gets EXIT_GRACE_MS to exit; if it is still running (Node's process.exit waits
 * for getaddrinfo calls stuck on a dead resolver, libuv/libuv#364), the group is killed and the
 * run is marked `lingered` rather than waiting out the system resolver's timeouts.
 */
export function runDiagnose(ns: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<DiagnoseProcess> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lingered = false;
    let grace: NodeJS.Timeout | null = null;
    const killGroup = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const hard = setTimeout(killGroup, DIAGNOSE_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (grace === null && stdout.trimEnd().endsWith('}')) {
        try {
          JSON.parse(stdout);
        } catch {
          return;
        }
        grace = setTimeout(() => {
          lingered = true;
          killGroup();
        }, EXIT_GRACE_MS);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
    child.on('close', (code) => {
      clearTimeout(hard);
      if (grace) clearTimeout(grace);
      resolve({ code: lingered ? null : code, stdout, stderr, lingered });
    });
    child.on('error', (err) => {
      clearTimeout(hard);
      resolve({ code: null, stdout, stderr: stderr + String(err), lingered });
    });
  });
}

export interface ScenarioRun extends RunRecord {
  exitCode: number | null;
  wallMs: number;
  /** The diagnosis report as printed by `netdx diagnose --json` (null when none came). */
  report: unknown;
  argv: string[];
  revertProblems: string[];
  /** netdx did not exit after printing its report (see runDiagnose). */
  lingered: boolean;
  /** What the offline analysis gave, as a message when it failed to give a code or verdict (offline.got holds it in English). */
  offlineGot?: LabMessage;
}

export function placeholderValues(lab: Lab): Record<string, string> {
  return {
    ca: lab.pki.ca,
    'ca+inspection': lab.pki.caWithInspection,
    'client-cert': lab.pki.clientCert,
    'client-key': lab.pki.clientKey,
    'www-pin': lab.pki.wwwPin,
  };
}

export function diagnoseArgv(lab: Lab, s: Scenario, json: boolean): string[] {
  return [process.execPath, NETDX_BIN, s.command ?? 'diagnose', ...(json ? ['--json'] : []), s.target, ...fillArgs(s.args ?? [], placeholderValues(lab))];
}

export function diagnoseEnv(s: Scenario): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', NO_COLOR: '1', ...(s.env ?? {}) };
}

function isReport(x: unknown): x is ReportView {
  const r = x as Partial<ReportView> | null;
  return !!r && typeof r === 'object' && typeof r.verdict === 'string' && Array.isArray(r.findings) && 'primary' in r;
}

export async function runScenario(lab: Lab, s: Scenario): Promise<ScenarioRun> {
  const t0 = Date.now();
  const host = s.host ?? 'client';
  const argv = diagnoseArgv(lab, s, true);
  const base = { id: s.id, expect: s.expect, ...(s.pendingIssue !== undefined ? { pendingIssue: s.pendingIssue } : {}), argv };
  let result: ScenarioRun;
  let lingered = false;
  try {
    if (s.inject) await s.inject(lab);
    const r = await runDiagnose(lab.ns(host), argv, diagnoseEnv(s));
    lingered = r.lingered;
    let report: unknown = null;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      report = null;
    }
    if (!isReport(report)) {
      const reasons: LabMessage[] = [
        r.code === null ? { key: 'why.timeout', vars: { s: DIAGNOSE_TIMEOUT_MS / 1000 } } : { key: 'why.noReport', vars: { code: r.code, line: r.stderr.trim().split('\n')[0] ?? '' } },
      ];
      result = { ...base, got: 'error', pass: false, why: whyOf(reasons), reasons, diagnosisMs: null, exitCode: r.code, wallMs: 0, report: null, revertProblems: [], lingered };
    } else {
      const o = evaluate(s.expect, s.alsoExpect ?? [], report, s.layerStatus ?? {});
      const zh = zhProseLines(report);
      result = { ...base, ...o, diagnosisMs: report.durationMs, exitCode: r.code, wallMs: 0, report, revertProblems: [], lingered, ...(zh ? { zhProse: zh } : {}) };
    }
  } catch (err) {
    const reasons: LabMessage[] = [{ key: 'why.injection', vars: { error: err instanceof Error ? err.message : String(err) } }];
    result = {
      ...base,
      got: 'error',
      pass: false,
      why: whyOf(reasons),
      reasons,
      diagnosisMs: null,
      exitCode: null,
      wallMs: 0,
      report: null,
      revertProblems: [],
      lingered,
    };
  }
  if (s.offline && result.got !== 'error') {
    const { record: off, got } = await offlineParity(lab.ns(host), s, s.offline);
    result.offline = off;
    if (typeof got === 'object') result.offlineGot = got;
    if (!off.pass) {
      result.pass = false;
      addReason(result, { key: 'why.offline', vars: { got, expect: off.expect } });
    }
  }
  result.revertProblems = await lab.revert();
  if (result.revertProblems.length > 0) {
    result.pass = false;
    addReason(result, { key: 'why.revert', vars: { problems: result.revertProblems.join('; ') } });
  }
  result.wallMs = Date.now() - t0;
  return result;
}

/** One more reason a run failed: `why` (English, as the JSON carries it) and `reasons` grow together. */
export function addReason(r: ScenarioRun, m: LabMessage): void {
  r.reasons = [...(r.reasons ?? []), m];
  r.why = [r.why, renderLab('en', m)].filter(Boolean).join('; ');
}

const OFFLINE_OPTIONS = new Set(['--expect-gateway', '--expect-ip', '--tunnel', '--port', '--protocol']);

/**
 * Offline parity: `netdx collect` inside the host while the fault is in place, then
 * `netdx analyze` on that snapshot (no packets), judged like a diagnosis.
 */
async function offlineParity(ns: string, s: Scenario, expect: NonNullable<Scenario['offline']>): Promise<{ record: NonNullable<ScenarioRun['offline']>; got: string | LabMessage }> {
  const dir = mkdtempSync(join(tmpdir(), 'ndx-offline-'));
  const file = join(dir, 'snapshot.json');
  const env = diagnoseEnv(s);
  // A failure's record keeps its English text as `got`; the message goes with it for the zh line.
  const fail = (got: LabMessage): { record: NonNullable<ScenarioRun['offline']>; got: LabMessage } => ({ record: { expect, got: renderLab('en', got), pass: false, ms: null }, got });
  const line = (stderr: string): string => stderr.trim().split('\n')[0] ?? '';
  try {
    const c = await run('ip', inNs(ns, [process.execPath, NETDX_BIN, 'collect', '--out', file]), { env, timeoutMs: 20_000 });
    if (c.code !== 0) return fail({ key: 'offline.collectFailed', vars: { code: String(c.code), line: line(c.stderr) } });
    // The options `netdx analyze` shares with diagnose (the rest need packets: --ca, --sni, …).
    const args = s.args ?? [];
    const extra = args.flatMap((a, i) => (OFFLINE_OPTIONS.has(a) && args[i + 1] !== undefined ? [a, args[i + 1]!] : []));
    const a = await run(process.execPath, [NETDX_BIN, 'analyze', file, '--json', '--target', s.target, ...extra], { env, timeoutMs: 20_000 });
    let report: unknown;
    try {
      report = JSON.parse(a.stdout);
    } catch {
      return fail({ key: 'offline.analyzeNoReport', vars: { code: String(a.code), line: line(a.stderr) } });
    }
    if (!isReport(report)) return fail({ key: 'offline.noReport' });
    const o = evaluate(expect, [], report);
    return { record: { expect, got: o.got, pass: o.pass, ms: (report as { durationMs?: number }).durationMs ?? null }, got: o.got };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runScenarios(lab: Lab, list: readonly Scenario[], onResult: (r: ScenarioRun, s: Scenario) => void = () => {}): Promise<ScenarioRun[]> {
  const out: ScenarioRun[] = [];
  for (const s of list) {
    const r = await runScenario(lab, s);
    out.push(r);
    onResult(r, s);
  }
  return out;
}
