/**
 * `netdx diagnose --capture FILE`: tcpdump records the diagnosis's own packets (every interface of
 * the namespace it runs in) while it runs; afterwards the capture is read like `netdx pcap` and its
 * findings join the report. Kept outside the engine: the CLI wraps the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { metaOf } from '../diagnose/judge.js';
import { rankFindings } from '../diagnose/rank.js';
import { verdictOf } from '../diagnose/verdict.js';
import type { Lang } from '../model/layer.js';
import type { Report } from '../model/report.js';
import { Analyzer } from './flows.js';
import { judge } from './findings.js';
import { readCaptureFile } from './read.js';
import { summarize } from './report.js';
import { CaptureError } from './reader.js';

export type Recorder = { ok: true; file: string; stop: () => Promise<void> } | { ok: false; file: string; reason: string };

/** Starts tcpdump writing to `file`; resolves once it listens (or with the reason it cannot). */
export function startRecorder(file: string, tool = 'tcpdump'): Promise<Recorder> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(tool, ['-i', 'any', '-n', '-U', '--immediate-mode', '-s', '0', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      resolve({ ok: false, file, reason: (err as Error).message });
      return;
    }
    let err = '';
    let settled = false;
    const done = (r: Recorder): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const exited = new Promise<void>((res) => child.once('close', () => res()));
    const stop = async (): Promise<void> => {
      // Let the last answers arrive, then stop tcpdump (it flushes on SIGINT).
      await new Promise((r) => setTimeout(r, 150));
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    };
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/i.test(err)) done({ ok: true, file, stop });
    });
    child.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, file, reason: e.code === 'ENOENT' ? `${tool} is not installed` : e.message }));
    child.once('close', (code) => done({ ok: false, file, reason: `${tool} exited (${code}): ${err.trim().split('\n').pop() ?? ''}` }));
    const timer = setTimeout(() => {
      // Never started listening: give up on the capture, not on the diagnosis.
      child.kill('SIGKILL');
      done({ ok: false, file, reason: `${tool} did not start within 3 s` });
    }, 3000);
  });
}

/**
 * Reads the recorded capture and adds its findings (codes the live diagnosis did not name) and summary
 * to the report. They speak the report's language when it has one (`diagnose --json` judges in English
 * whatever --lang says: the texts beside the message ids are English), the reader's otherwise.
 */
export function addCapture(report: Report, file: string, readerLang: Lang, expectIp: string[]): { report: Report; warning: string | null } {
  const lang = report.lang ?? readerLang;
  const a = new Analyzer();
  let info;
  try {
    info = readCaptureFile(file, a.onPacket);
  } catch (err) {
    // The warning is printed for the reader: in the reader's language.
    return { report, warning: err instanceof CaptureError ? (readerLang === 'zh' ? err.zh : err.message) : `${file}: ${(err as Error).message}` };
  }
  const found = judge(a, { lang, targetHost: report.target.host, targetPort: report.target.port, expectIp });
  const have = new Set(report.findings.map((f) => f.code));
  const added = found.filter((f) => !have.has(f.code));
  const capture = summarize(a, info, file, lang);
  if (added.length === 0) return { report: { ...report, capture }, warning: null };
  const { primary, findings } = rankFindings([...report.findings.map(({ explainedBy: _e, ...f }) => f), ...added], metaOf);
  const { verdict, undetermined } = verdictOf(findings, report.layers);
  const { undetermined: _u, ...rest } = report;
  return { report: { ...rest, primary, findings, verdict, ...(undetermined ? { undetermined } : {}), capture }, warning: null };
}
