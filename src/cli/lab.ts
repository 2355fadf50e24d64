/**
 * `netdx lab up|down|exec|run|demo|fleet-demo|list`: the namespace fault lab (see src/lab/README.md).
 * Needs root; without it every subcommand exits 3 with one line.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, NetdxError, usageError } from '../model/errors.js';
import { Lab, needRoot, preflight } from '../lab/lab.js';
import { SCENARIOS } from '../lab/scenarios/index.js';
import { PLANNED } from '../lab/planned.js';
import { runScenario, type ScenarioRun } from '../lab/runner.js';
import { totals, whyText, type RunRecord } from '../lab/evaluate.js';
import { renderTable } from '../lab/table.js';
import { cleanStale, destroyRun, isLive, labNamespaces, labRunIds, readOwner, nsName } from '../lab/state.js';
import { HOSTS, isHost } from '../lab/topology.js';
import type { Scenario } from '../lab/scenario.js';
import type { FleetDemoResult } from '../lab/fleet-demo.js';
import type { Report } from '../model/report.js';
import { colorEnabled, renderText } from '../report/text.js';
import { renderLoad } from '../load/render.js';
import type { LoadReport } from '../load/report.js';
import { detectLang } from '../report/i18n.js';
import type { Lang } from '../model/layer.js';
import { parseLang } from './diagnose-options.js';
import { lt, renderLab } from '../lab/messages.js';

const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** A demo's heading: the expected code (and the pending issue). */
function expectedText(lang: Lang, s: Scenario): string {
  if (lang === 'zh') return `（预期 ${s.expect}${s.pendingIssue ? `，待定问题单 ${s.pendingIssue}` : ''}）`;
  return `(expected ${s.expect}${s.pendingIssue ? `, pending issue ${s.pendingIssue}` : ''})`;
}

/** What the offline analysis gave: a code or verdict, or why it gave none, in `lang`. */
function offlineGot(r: ScenarioRun, lang: Lang): string {
  return r.offlineGot ? renderLab(lang, r.offlineGot) : (r.offline?.got ?? '');
}

/** A demo's last line: pass or fail, what netdx said, and what the offline analysis said. */
function resultLine(lang: Lang, r: ScenarioRun, host: string): string {
  if (lang === 'zh') {
    const why = r.why ? `（${whyText(r, lang)}）` : '';
    return `   → ${r.pass ? '通过' : '失败'}：${r.diagnosisMs ?? '-'} ms 内得出 ${r.got}${r.offline ? `；离线分析（对 ${host} 的快照运行 netdx analyze）：${offlineGot(r, lang)}` : ''}${why}`;
  }
  return `   → ${r.pass ? 'pass' : 'FAIL'}: got ${r.got} in ${r.diagnosisMs ?? '-'} ms${r.offline ? `; offline (netdx analyze on a snapshot of ${host}): ${r.offline.got}` : ''}${r.why ? ` (${r.why})` : ''}`;
}

function positiveInt(what: string, text: string, max: number): number {
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > max)
    throw usageError({ en: `${what} '${text.slice(0, 20)}': expected a whole number 1…${max}`, zh: `${what} '${text.slice(0, 20)}'：应为 1…${max} 之间的整数` });
  return Number(text);
}

/** The lab that `netdx lab up` left running (the newest kept one). */
function keptLab(): string {
  const kept = labRunIds()
    .map((id) => ({ id, owner: readOwner(id) }))
    .filter((x) => x.owner?.kept)
    .sort((a, b) => (a.owner!.createdAt < b.owner!.createdAt ? 1 : -1));
  if (kept.length === 0)
    throw new NetdxError('E_TOOL', {
      en: 'no lab is up: start one with `netdx lab up` (or `netdx lab run --keep`)',
      zh: '没有运行中的实验环境：用 `netdx lab up`（或 `netdx lab run --keep`）启动一个',
    });
  return kept[0]!.id;
}

function select(only: string[] | undefined): Scenario[] {
  if (!only || only.length === 0) return [...SCENARIOS];
  const ids = only
    .flatMap((o) => o.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Scenario[] = [];
  for (const id of ids) {
    const prefix = id.endsWith('*') ? id.slice(0, -1) : id.endsWith('-') ? id : `${id}-`;
    const matches = SCENARIOS.filter((s) => s.id === id || s.id.startsWith(prefix));
    if (matches.length === 0) throw usageError({ en: `--only '${id}': no such scenario (see \`netdx lab list\`)`, zh: `--only '${id}'：没有这个场景（见 \`netdx lab list\`）` });
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** Tears the lab down on Ctrl-C / SIGTERM, then exits (130 / 143). */
function onSignals(down: () => Promise<void>, lang: Lang): () => void {
  let busy = false;
  const handler = (sig: NodeJS.Signals): void => {
    if (busy) return;
    busy = true;
    err(lt(lang, 'cli.signal', { signal: sig }));
    void down().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  };
}

function publicRecord(r: ScenarioRun): Record<string, unknown> {
  const rep = r.report as Partial<Report> | null;
  return {
    id: r.id,
    expect: r.expect,
    got: r.got,
    pass: r.pass,
    why: r.why || undefined,
    diagnosisMs: r.diagnosisMs,
    wallMs: r.wallMs,
    exitCode: r.exitCode,
    pendingIssue: r.pendingIssue,
    findings: rep?.findings?.map((f) => ({ code: f.code, severity: f.severity, explainedBy: (f as { explainedBy?: string }).explainedBy })) ?? [],
    revertProblems: r.revertProblems.length ? r.revertProblems : undefined,
    lingered: r.lingered || undefined,
    offline: r.offline,
  };
}

interface RunOpts {
  only?: string[];
  lang?: string;
  json?: boolean;
  keep?: boolean;
  pending?: boolean;
  repeat?: number;
  reports?: string;
}

async function runLab(opts: RunOpts, demo: boolean): Promise<number> {
  const list = select(opts.only).filter((s) => opts.pending !== false || s.pendingIssue === undefined);
  const lang = parseLang(opts.lang, detectLang());
  const t0 = Date.now();
  const log = opts.json ? () => {} : (l: string) => err(`lab: ${l}`);
  const lab = await Lab.up({ keep: !!opts.keep, log, lang });
  const offSignals = onSignals(() => lab.down(), lang);
  const results: ScenarioRun[] = [];
  try {
    const repeat = opts.repeat ?? 1;
    log(lt(lang, 'cli.upIn', { ms: Date.now() - t0, runid: lab.runid, n: list.length, repeat: repeat > 1 ? lt(lang, 'cli.repeat', { n: repeat }) : '' }));
    if (opts.reports) mkdirSync(opts.reports, { recursive: true });
    const runs = Array.from({ length: repeat }, (_, i) => list.map((s) => [s, i + 1] as const)).flat();
    for (const [s, round] of runs) {
      const r = await runScenario(lab, s);
      results.push(r);
      if (opts.reports)
        writeFileSync(join(opts.reports, `${s.id}${repeat > 1 ? `.${round}` : ''}.json`), JSON.stringify({ ...publicRecord(r), argv: r.argv.slice(2), report: r.report }, null, 2) + '\n');
      if (demo) {
        process.stdout.write(
          `\n━━ ${s.id}  ${expectedText(lang, s)}\n   ${lang === 'zh' && s.story.zh ? s.story.zh : s.story.en}\n   ${s.host ?? 'client'}$ netdx ${s.command ?? 'diagnose'} ${r.argv
            .slice(3)
            .filter((a) => a !== '--json')
            .join(' ')}\n\n`,
        );
        // A load scenario's report is a netdx.load/v1 result, shown as `netdx load` shows it.
        if (r.report) process.stdout.write(s.command === 'load' ? `${renderLoad(r.report as LoadReport, lang)}\n` : renderText(r.report as Report, { lang, color: colorEnabled(process.stdout) }));
        process.stdout.write(`${resultLine(lang, r, s.host ?? 'client')}\n`);
      } else if (!opts.json) {
        const result = lt(lang, r.pass ? 'cli.scenarioPass' : r.pendingIssue ? 'cli.scenarioPending' : 'cli.scenarioFail');
        const offline = r.offline ? lt(lang, 'cli.scenarioOffline', { got: offlineGot(r, lang) }) : '';
        err(`  ${lt(lang, 'cli.scenarioLine', { result, id: s.id, got: r.got, ms: r.diagnosisMs ?? '-', offline })}`);
      }
    }
  } finally {
    if (!opts.keep) await lab.down();
    offSignals();
  }
  const records: RunRecord[] = results;
  const t = totals(records);
  const wallMs = Date.now() - t0;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ schema: 'netdx.lab/v1', runid: lab.runid, kept: !!opts.keep, wallMs, totals: t, results: results.map(publicRecord), notWritten: PLANNED }, null, 2) + '\n');
  } else {
    if (demo) process.stdout.write('\n');
    process.stdout.write(renderTable(records, t, lang));
    process.stdout.write(`${lt(lang, 'cli.wallTime', { s: (wallMs / 1000).toFixed(1), kept: opts.keep ? lt(lang, 'cli.stillUp', { runid: lab.runid }) : '' })}\n`);
  }
  return t.failed > 0 ? 1 : 0;
}

/** `netdx lab list`: the scenarios (expected code, pending issue, story) and the codes without one. */
function listScenarios(o: { lang?: string }): void {
  const lang = parseLang(o.lang, detectLang());
  const zh = lang === 'zh';
  const w = Math.max(...SCENARIOS.map((s) => s.id.length));
  for (const s of SCENARIOS)
    process.stdout.write(
      `${s.id.padEnd(w)}  ${s.expect.padEnd(8)}  ${s.pendingIssue ? `${zh ? '待定' : 'pending'} #${s.pendingIssue}` : '         '}  ${zh && s.story.zh ? s.story.zh : s.story.en}\n`,
    );
  if (PLANNED.length > 0) {
    process.stdout.write(zh ? '\n尚无场景的故障代码：\n' : '\nfault codes without a scenario yet:\n');
    for (const p of PLANNED) process.stdout.write(`${p.code.padEnd(8)}  ${zh ? '问题单' : 'issue'} #${p.issue}  ${zh ? `“${p.why}”` : p.why}\n`);
  }
}

/** The summary of `netdx lab fleet-demo`: pass or fail, the times against their goals, the incident, the failures. */
export function renderFleetDemo(r: FleetDemoResult, lang: Lang): string {
  const s = (ms: number | null): string => (ms === null ? '—' : lt(lang, 'fd.seconds', { s: (ms / 1000).toFixed(1) }));
  const out = [
    '',
    `${lt(lang, r.pass ? 'fd.pass' : 'fd.fail')}  ${lt(lang, 'fd.agents', { n: r.agents })}`,
    `  ${lt(lang, 'fd.times', { classified: s(r.classifiedMs), located: s(r.locatedMs), recovered: s(r.recoveredMs) })}`,
  ];
  if (r.incident) out.push(`  ${String(r.incident['summary'])}`);
  out.push(`  ${lt(lang, 'fd.othersGreen', { answer: lt(lang, r.othersGreen ? 'fd.yes' : 'fd.no') })}`);
  for (const f of r.failures) out.push(`  ✗ ${f}`);
  return out.join('\n') + '\n';
}

export function register(program: Command): void {
  const lab = program.command('lab').description('the namespace fault lab: real networks with one fault at a time (needs root)');

  lab
    .command('up')
    .description('build the lab and leave it running (hosts: ' + HOSTS.join(', ') + ')')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: { lang?: string }) => {
      const lang = parseLang(o.lang, detectLang());
      const t0 = Date.now();
      const l = await Lab.up({ keep: true, log: (x) => err(`lab: ${x}`), lang });
      process.stdout.write(`${lt(lang, 'cli.isUp', { runid: l.runid, ms: Date.now() - t0, namespaces: HOSTS.map((h) => l.ns(h)).join(' ') })}\n`);
      process.stdout.write(`${lt(lang, 'cli.try', { exec: 'netdx lab exec client -- ping -c1 www.lab.test', ca: l.pki.ca, down: 'netdx lab down' })}\n`);
    });

  lab
    .command('down')
    .description('tear down the kept lab(s) and anything crashed runs left behind')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: { lang?: string }) => {
      const lang = parseLang(o.lang, detectLang());
      await preflight();
      const ids = new Set([...labRunIds(), ...(await labNamespaces()).map((n) => n.runid)]);
      let n = 0;
      for (const id of ids) {
        const owner = readOwner(id);
        if (owner?.kept || !isLive(id)) {
          await destroyRun(id);
          n++;
        }
      }
      await cleanStale();
      process.stdout.write(`${n === 0 ? lt(lang, 'cli.noneUp') : lt(lang, 'cli.removed', { n })}\n`);
    });

  lab
    .command('exec')
    .description('run a command inside a host of the running lab: netdx lab exec HOST -- CMD [ARGS…]')
    .argument('<host>', HOSTS.join(' | '))
    .argument('<cmd...>', 'the command and its arguments')
    .action(async (host: string, cmd: string[]) => {
      if (!isHost(host)) throw usageError({ en: `host '${host}': expected one of ${HOSTS.join(', ')}`, zh: `主机 '${host}'：应为 ${HOSTS.join('、')} 之一` });
      await preflight();
      const id = keptLab();
      const child = spawn('ip', ['netns', 'exec', nsName(id, host), ...cmd], { stdio: 'inherit' });
      const code = await new Promise<number>((resolve) => {
        child.on('error', () => resolve(EXIT.cannot));
        child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
      });
      process.exitCode = code;
    });

  lab
    .command('run')
    .description('build the lab, run the scenarios, print the table, tear it down')
    .option('--only <ids...>', 'only these scenarios (ids, id prefixes like tls-006, or globs like dns-*)')
    .option('--json', 'print the results as JSON (netdx.lab/v1)')
    .option('--keep', 'leave the lab up afterwards (netdx lab exec / down)')
    .option('--no-pending', 'skip scenarios whose fault code is still pending')
    .option('--repeat <n>', 'run the selection N times on one lab build (to measure flakiness)', (v) => positiveInt('--repeat', v, 100), 1)
    .option('--reports <dir>', "write each scenario's whole report (JSON) to DIR/ID[.N].json")
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: RunOpts) => {
      process.exitCode = await runLab(o, false);
    });

  lab
    .command('demo')
    .description('build the lab, run every scenario showing each diagnosis, then the table')
    .option('--only <ids...>', 'only these scenarios')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: RunOpts) => {
      process.exitCode = await runLab(o, true);
    });

  lab
    .command('fleet-demo')
    .description('the field case across a fleet: 3 regions of agents and a server; inject the Shanghai misroute, see the incident located and recovered')
    .option('--agents <n>', 'agents per region', (v) => positiveInt('--agents', v, 20), 3)
    .option('--interval <seconds>', "the agents' check interval", (v) => positiveInt('--interval', v, 60), 2)
    .option('--json', 'print the result as JSON')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: { agents: number; interval: number; json?: boolean; lang?: string }) => {
      const lang = parseLang(o.lang, detectLang());
      const { runFleetDemo } = await import('../lab/fleet-demo.js');
      const r = await runFleetDemo({ perRegion: o.agents, intervalS: o.interval, log: (l) => err(`fleet-demo: ${l}`), lang });
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else process.stdout.write(renderFleetDemo(r, lang));
      process.exitCode = r.pass ? 0 : 2;
    });

  lab.command('list').description('list the scenarios (expected code, pending issue) and the fault codes without one').option('--lang <lang>', 'en | zh (default from LANG)').action(listScenarios);

  // Every lab subcommand needs root: fail early with one line.
  for (const c of lab.commands) {
    if (c.name() === 'list') continue;
    c.hook('preAction', needRoot);
  }
}
