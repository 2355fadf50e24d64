/**
 * Without raw sockets: the system `traceroute` (UDP, parallel probes; works unprivileged) or
 * `tracepath`, parsed into the same probe records as the raw trace. Parsers are pure and accept
 * any text.
 */
import { isIP } from 'node:net';
import type { IcmpError } from '../model/observation.js';
import type { ProbeRecord } from '../analyze/trace-stats.js';
import { defaultExec } from '../system/exec.js';

const ANNOTATIONS: Record<string, [number, string]> = {
  H: [1, 'host-unreachable'],
  N: [0, 'net-unreachable'],
  P: [2, 'protocol-unreachable'],
  S: [5, 'source-route-failed'],
  X: [13, 'admin-prohibited'],
  V: [14, 'host-precedence-violation'],
  C: [15, 'precedence-cutoff'],
};

function annotation(tok: string, from: string): IcmpError | null {
  const m = /^!([A-Z])?(?:-?(\d+))?$/.exec(tok);
  if (!m) return null;
  const six = from.includes(':');
  if (m[1] === 'F') return { type: six ? 2 : 3, code: six ? 0 : 4, from, name: six ? 'packet-too-big' : 'frag-needed', ...(m[2] ? { mtu: Number(m[2]) } : {}) };
  if (m[1] && ANNOTATIONS[m[1]]) {
    const [code, name] = ANNOTATIONS[m[1]]!;
    return { type: six ? 1 : 3, code, from, name };
  }
  if (m[2]) return { type: six ? 1 : 3, code: Number(m[2]), from, name: `unreachable-${m[2]}` };
  return null;
}

/** Parses `traceroute -n` output (Debian traceroute 2.x): one line per TTL, `*` for no answer. */
export function parseTraceroute(text: string, target: string): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (const line of text.split('\n').slice(0, 300)) {
    const m = /^\s*(\d{1,3})\s+(.*)$/.exec(line);
    if (!m) continue;
    const ttl = Number(m[1]);
    if (ttl < 1 || ttl > 255) continue;
    const toks = m[2]!.trim().split(/\s+/).slice(0, 200);
    let from: string | null = null;
    let round = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t === '*') {
        out.push({ ttl, round: round++, sentAt: 0, outcome: 'timeout', from: null, rttMs: null, icmp: null });
      } else if (isIP(t)) {
        from = t;
      } else if (/^\d+(\.\d+)?$/.test(t) && toks[i + 1] === 'ms' && from) {
        const rtt = Number(t);
        i++;
        const err = toks[i + 1]?.startsWith('!') ? annotation(toks[++i]!, from) : null;
        const isTarget = from === target;
        out.push({
          ttl,
          round: round++,
          sentAt: 0,
          outcome: isTarget && !err ? 'reply' : 'icmp-error',
          from,
          rttMs: rtt,
          icmp: err ?? (isTarget ? null : { type: from.includes(':') ? 3 : 11, code: 0, from, name: 'time-exceeded' }),
        });
      }
    }
  }
  return out;
}

/** Parses `tracepath -n` output: one probe per line, `no reply` for silence, `reached` at the target. */
export function parseTracepath(text: string, target: string): { records: ProbeRecord[]; pmtu: number | null } {
  const out: ProbeRecord[] = [];
  const rounds = new Map<number, number>();
  let pmtu: number | null = null;
  for (const line of text.split('\n').slice(0, 300)) {
    const resume = /Resume: pmtu (\d+)/.exec(line);
    if (resume) pmtu = Number(resume[1]);
    const m = /^\s*(\d{1,3})\??:\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const ttl = Number(m[1]);
    const round = rounds.get(ttl) ?? 0;
    if (m[2] === '[LOCALHOST]') continue;
    rounds.set(ttl, round + 1);
    if (m[2] === 'no' && /^reply/.test(m[3]!)) {
      out.push({ ttl, round, sentAt: 0, outcome: 'timeout', from: null, rttMs: null, icmp: null });
      continue;
    }
    const from = m[2]!;
    if (!isIP(from)) continue;
    const rtt = /([\d.]+)ms/.exec(m[3]!);
    const reached = /reached/.test(m[3]!) || from === target;
    const mtu = /pmtu (\d+)/.exec(m[3]!);
    out.push({
      ttl,
      round,
      sentAt: 0,
      outcome: reached ? 'reply' : 'icmp-error',
      from,
      rttMs: rtt ? Number(rtt[1]) : null,
      icmp: reached ? null : mtu ? { type: 3, code: 4, from, name: 'frag-needed', mtu: Number(mtu[1]) } : { type: 11, code: 0, from, name: 'time-exceeded' },
    });
  }
  return { records: out, pmtu };
}

export interface ToolRun {
  tool: 'traceroute' | 'tracepath';
  text: string;
}

/** The tool's output, or null when it is not installed (through the shared ExecFn: C locale, sbin on the PATH). */
async function exec(cmd: string, args: string[], signal: AbortSignal, timeoutMs: number): Promise<string | null> {
  const r = await defaultExec(cmd, args, { signal, timeoutMs });
  return r.failure === 'ENOENT' ? null : r.stdout.slice(0, 65536);
}

/** Runs traceroute (UDP, all probes in parallel) or, when absent, tracepath. Null when neither exists. */
export async function runTool(target: string, o: { count: number; maxHops: number; port: number | null; waitS: number }, signal: AbortSignal): Promise<ToolRun | null> {
  const six = target.includes(':');
  const q = String(Math.max(1, Math.min(10, o.count)));
  // The probe's signal ends it with the budget; this only bounds a run without one.
  const limit = (o.maxHops * o.waitS + 5) * 1000;
  const tr = await exec('traceroute', [six ? '-6' : '-4', '-n', '-q', q, '-N', '32', '-w', String(o.waitS), '-m', String(o.maxHops), ...(o.port ? ['-p', String(o.port)] : []), target], signal, limit);
  if (tr !== null && /^\s*\d+\s/m.test(tr)) return { tool: 'traceroute', text: tr };
  const tp = await exec('tracepath', [six ? '-6' : '-4', '-n', '-m', String(o.maxHops), ...(o.port ? ['-p', String(o.port)] : []), target], signal, limit);
  if (tp !== null) return { tool: 'tracepath', text: tp };
  return null;
}
