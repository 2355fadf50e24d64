/**
 * `POST /api/compare {target, selector?, timeoutS?}` — the field write-up's comparison test as one
 * call: every connected agent (or those whose labels match the selector) diagnoses the target now;
 * the answer groups them into failing and working and lists the facts that separate the two
 * groups (DNS answers, the route and gateway chosen, where the path went silent, the TLS chain, the
 * path MTU). It returns as soon as every agent answered, or at the deadline with those that did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Lang } from '../model/layer.js';
import { parseTarget } from '../model/target.js';
import type { FleetStore } from './store.js';
import type { FleetTargets } from './targets.js';
import { features, type Feature } from './features.js';
import { ft } from './messages.js';
import { MAX_COMMAND_WAIT_S } from './protocol.js';

export const CompareRequestSchema = z.object({
  /** A target name of the server's list, or HOST[:PORT] / URL as `netdx diagnose` takes it. */
  target: z.string().min(1).max(512),
  /** `k=v,k2=v2`: only agents with all these labels. */
  selector: z.string().max(512).optional(),
  /** How long to wait for the agents' answers (default 30 s). */
  timeoutS: z.number().min(1).max(120).optional(),
});
export type CompareRequest = z.infer<typeof CompareRequestSchema>;

export interface CompareDeps {
  store: FleetStore;
  targets: FleetTargets;
  onlineAfter: number;
  now: () => number;
  wake: (agent: string) => void;
  lang: Lang;
}

export interface Difference {
  key: string;
  kind: Feature['kind'];
  /** value → number of agents, in each group. */
  failing: Record<string, number>;
  working: Record<string, number>;
}

export interface CompareResult {
  target: string;
  asked: number;
  answered: number;
  ms: number;
  failing: Array<{ agent: string; labels: Record<string, string>; code: string | null; verdict: string }>;
  working: Array<{ agent: string; labels: Record<string, string>; code: string | null; verdict: string }>;
  noAnswer: string[];
  errors: Array<{ agent: string; error: string }>;
  differences: Difference[];
}

export function parseSelector(s: string | undefined): Record<string, string> | null {
  if (!s || s.trim() === '') return {};
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^,=]*?)\s*$/.exec(part);
    if (!m) return null;
    out[m[1]!] = m[2]!;
  }
  return out;
}

const top = (m: Record<string, number>): string | null => Object.entries(m).sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;

/** Facts whose most common value differs between the groups (or that only one group has). */
export function differences(failing: Feature[][], working: Feature[][]): Difference[] {
  const tally = (groups: Feature[][]): Map<string, { kind: Feature['kind']; values: Record<string, number> }> => {
    const m = new Map<string, { kind: Feature['kind']; values: Record<string, number> }>();
    for (const fs of groups) {
      for (const f of fs) {
        const t = m.get(f.key) ?? { kind: f.kind, values: {} };
        t.values[f.value] = (t.values[f.value] ?? 0) + 1;
        m.set(f.key, t);
      }
    }
    return m;
  };
  const a = tally(failing);
  const b = tally(working);
  const out: Difference[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const fa = a.get(key);
    const wb = b.get(key);
    const failingValues = fa?.values ?? {};
    const workingValues = wb?.values ?? {};
    if (failing.length > 0 && working.length > 0 && top(failingValues) === top(workingValues)) continue;
    if (failing.length === 0 || working.length === 0) continue;
    out.push({ key, kind: (fa ?? wb)!.kind, failing: failingValues, working: workingValues });
  }
  return out.sort((x, y) => x.kind.localeCompare(y.kind) || x.key.localeCompare(y.key));
}

export async function compare(req: CompareRequest, d: CompareDeps): Promise<CompareResult | { status: number; error: string }> {
  const t0 = d.now();
  const sel = parseSelector(req.selector);
  if (sel === null) return { status: 400, error: ft(d.lang, 'api.invalid', { what: 'compare request', path: 'selector', why: 'expected k=v,k2=v2' }) };
  const known = d.targets.byName.get(req.target);
  const input = known?.input ?? req.target;
  if (!known) {
    try {
      parseTarget(input);
    } catch (err) {
      return { status: 400, error: ft(d.lang, 'api.badTarget', { target: input, why: err instanceof Error ? err.message : String(err) }) };
    }
  }
  // Connected: waiting for commands now (a long poll started within its longest wait and a margin).
  const pollAfter = t0 - (MAX_COMMAND_WAIT_S + 10) * 1000;
  const agents = (await d.store.agents(d.onlineAfter)).filter((a) => a.lastPoll !== null && a.lastPoll >= pollAfter && Object.entries(sel).every(([k, v]) => a.labels[k] === v));
  if (agents.length === 0) return { status: 404, error: ft(d.lang, 'api.noAgents') };
  const deadline = t0 + (req.timeoutS ?? 30) * 1000;
  const ids: string[] = [];
  for (const a of agents) {
    ids.push(await d.store.enqueue(a.name, { kind: 'diagnose', target: input, options: {}, deadline }, 'compare', t0, known ? req.target : input));
    d.wake(a.name);
  }
  let results = await d.store.results(ids);
  while (d.now() < deadline && [...results.values()].some((r) => r.result === null)) {
    await sleep(100);
    results = await d.store.results(ids);
  }
  const labelsOf = new Map(agents.map((a) => [a.name, a.labels]));
  const out: CompareResult = { target: known ? req.target : input, asked: agents.length, answered: 0, ms: 0, failing: [], working: [], noAnswer: [], errors: [], differences: [] };
  const fFail: Feature[][] = [];
  const fWork: Feature[][] = [];
  for (const { agent, result } of results.values()) {
    if (!result) {
      out.noAnswer.push(agent);
      continue;
    }
    out.answered++;
    if (!result.report) {
      out.errors.push({ agent, error: result.error ?? 'no report' });
      continue;
    }
    const row = { agent, labels: labelsOf.get(agent) ?? {}, code: result.report.primary?.code ?? null, verdict: result.report.verdict };
    if (result.report.verdict === 'fault') {
      out.failing.push(row);
      fFail.push(features(result.report));
    } else {
      out.working.push(row);
      fWork.push(features(result.report));
    }
  }
  out.differences = differences(fFail, fWork);
  out.ms = d.now() - t0;
  for (const l of [out.failing, out.working]) l.sort((a, b) => a.agent.localeCompare(b.agent));
  out.noAnswer.sort();
  return out;
}
