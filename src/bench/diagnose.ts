/**
 * Benchmark: `netdx diagnose` wall time per target (the whole CLI process, as a person runs it)
 * against a person's checklist on the same target, run one after another:
 *   ping -c 4, nslookup (names only), nc -z -w 5 (with a port), openssl s_client (TLS targets).
 *
 * Run it where the targets are reachable — inside a lab host, never against outside addresses:
 *   netdx lab exec client -- node dist/bench/diagnose.js srv.lab.test:443 ...
 * Options: --runs N (default 5), --json. Prints median/worst per target.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseTarget } from '../model/target.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));

function timed(file: string, args: string[], input?: string): Promise<{ ms: number; code: number; stdout: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = execFile(file, args, { timeout: 60_000 }, (err, stdout) => {
      resolve({ ms: performance.now() - t0, code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function checklist(input: string, extra: string[]): Promise<{ ms: number; steps: Record<string, number> }> {
  const t = parseTarget(input);
  const steps: Record<string, number> = {};
  if (t.ipFamily === null) steps.nslookup = (await timed('nslookup', [t.host])).ms;
  steps['ping -c 4'] = (await timed('ping', ['-c', '4', t.host])).ms;
  if (t.port !== null) steps['nc -z -w 5'] = (await timed('nc', ['-z', '-w', '5', t.host, String(t.port)])).ms;
  if (t.protocol === 'tls' || t.protocol === 'https') {
    const ca = extra.indexOf('--ca');
    const args = ['s_client', '-connect', `${t.host}:${t.port}`, '-servername', t.host, ...(ca >= 0 ? ['-CAfile', extra[ca + 1]!] : [])];
    steps['openssl s_client'] = (await timed('openssl', args, 'Q\n')).ms;
  }
  return { ms: Object.values(steps).reduce((a, b) => a + b, 0), steps };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let runs = 5;
  const json = argv.includes('--json');
  const targets: Array<{ input: string; extra: string[] }> = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--json') continue;
    else if (a.startsWith('--')) targets[targets.length - 1]?.extra.push(a, argv[++i]!);
    else targets.push({ input: a, extra: [] });
  }
  if (targets.length === 0) {
    console.error('usage: node dist/bench/diagnose.js TARGET [--ca FILE] ... [--runs N] [--json]  (run inside a lab host)');
    process.exit(64);
  }
  const rows = [];
  for (const t of targets) {
    const d: number[] = [];
    let verdict = '';
    let internal = 0;
    for (let i = 0; i < runs; i++) {
      const r = await timed(process.execPath, [BIN, 'diagnose', '--json', t.input, ...t.extra]);
      d.push(r.ms);
      try {
        const rep = JSON.parse(r.stdout) as { verdict: string; primary: { code: string } | null; durationMs: number };
        verdict = rep.primary?.code ?? rep.verdict;
        internal = rep.durationMs;
      } catch {
        verdict = `exit ${r.code}`;
      }
    }
    const c = await checklist(t.input, t.extra);
    rows.push({
      target: t.input,
      verdict,
      netdxMedianMs: Math.round(median(d)),
      netdxWorstMs: Math.round(Math.max(...d)),
      engineMs: internal,
      checklistMs: Math.round(c.ms),
      checklist: Object.fromEntries(Object.entries(c.steps).map(([k, v]) => [k, Math.round(v)])),
    });
  }
  if (json) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log('target'.padEnd(34), 'result'.padEnd(10), 'netdx median'.padStart(13), 'worst'.padStart(8), 'checklist'.padStart(10), '  checklist steps');
    for (const r of rows)
      console.log(
        r.target.padEnd(34),
        r.verdict.padEnd(10),
        `${r.netdxMedianMs} ms`.padStart(13),
        `${r.netdxWorstMs} ms`.padStart(8),
        `${r.checklistMs} ms`.padStart(10),
        ' ',
        Object.entries(r.checklist)
          .map(([k, v]) => `${k} ${v} ms`)
          .join(', '),
      );
  }
}

await main();
