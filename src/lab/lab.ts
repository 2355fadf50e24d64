/**
 * A running lab: builds the namespaces, links, addresses, routes and services; runs commands in
 * its hosts; applies a scenario's fault with recorded undo steps and reverts it. Every change
 * happens inside the lab's own namespaces (`ndx-lab-<runid>-<host>`) or under /etc/netns/<those>
 * and the lab's state directory; the root namespace's network is only ever read.
 */
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetdxError } from '../model/errors.js';
import type { Lang } from '../model/layer.js';
import { lt, type LabMessageKey } from './messages.js';
import { inNs, must, run, sleep, startService, type RunResult } from './exec.js';
import { makePki, type Pki } from './certs.js';
import { baselineEtc, readEtc, removeEtc, replaceEtc, writeEtc, type EtcFile } from './netfiles.js';
import { dnsmasqArgv, services, type DnsVariant, type ServiceSpec } from './services.js';
import { cleanStale, destroyRun, nsName, procStart, recordService, stateDir, writeOwner } from './state.js';
import { ADDR, configScript, FINGERPRINT_SCRIPT, HOSTS, linkScript, restoreScript, FORGET_PATH_STATE, sysctlScript, type Host } from './topology.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled lab servers (dist/lab/servers). */
const SERVERS_DIR = join(here, 'servers');

/** argv that runs one of the lab's node servers (servers/NAME.ts). */
export const nodeServer = (name: string, args: readonly string[]): string[] => [process.execPath, join(SERVERS_DIR, `${name}.js`), ...args];

const TOOLS = ['ip', 'iptables', 'ip6tables', 'dnsmasq', 'openssl', 'socat', 'nginx', 'ss', 'conntrack'];

export interface LabOptions {
  /** Leave the lab up when the process exits (`lab up`, `lab run --keep`). */
  keep?: boolean;
  log?: (line: string) => void;
  /** The language of the progress lines (en by default). */
  lang?: Lang;
}

interface Running {
  spec: ServiceSpec;
  pid: number;
}

/** Fails with one clear line (exit 3) unless running as root. */
export function needRoot(): void {
  if (process.getuid?.() !== 0)
    throw new NetdxError('E_PRIVILEGE', {
      en: 'the lab needs root (it creates network namespaces); run it as root, e.g. sudo netdx lab …',
      zh: '实验环境需要 root 权限（它会创建网络命名空间）；请以 root 运行，例如 `sudo netdx lab …`',
    });
}

/** Fails with one clear line when the lab cannot run here (exit 3). */
export async function preflight(): Promise<void> {
  needRoot();
  const missing: string[] = [];
  for (const t of TOOLS) {
    const r = await run('sh', ['-c', `command -v ${t}`]).catch(() => null);
    if (!r || r.code !== 0) missing.push(t);
  }
  if (missing.length > 0)
    throw new NetdxError('E_TOOL', {
      en: `the lab needs ${missing.join(', ')}; install them with scripts/setup-debian.sh`,
      zh: `实验环境需要 ${missing.join('、')}；请用 scripts/setup-debian.sh 安装`,
    });
}

export class Lab {
  readonly runid: string;
  readonly dir: string;
  pki!: Pki;
  private readonly logLine: (line: string) => void;
  private readonly lang: Lang;
  private readonly running = new Map<string, Running>();
  private undo: Array<{ what: string; fn: () => Promise<void> }> = [];
  private touched = new Set<Host>();
  private baseline = new Map<Host, string>();
  private builtSpecs: ServiceSpec[] = [];

  private constructor(runid: string, log: (line: string) => void, lang: Lang) {
    this.runid = runid;
    this.dir = stateDir(runid);
    this.logLine = log;
    this.lang = lang;
  }

  /** A progress line in the lab's language. */
  private log(key: LabMessageKey, vars: Record<string, string | number> = {}): void {
    this.logLine(lt(this.lang, key, vars));
  }

  ns(host: Host): string {
    return nsName(this.runid, host);
  }

  /** Builds a fresh lab (cleaning what crashed runs left first). */
  static async up(opts: LabOptions = {}): Promise<Lab> {
    await preflight();
    const log = opts.log ?? (() => {});
    const lang = opts.lang ?? 'en';
    const removed = await cleanStale();
    if (removed.length > 0) log(lt(lang, 'up.cleaned', { runs: removed.join(', ') }));
    const lab = new Lab(String(process.pid), log, lang);
    // A lab of this very process (a second `up` in one process) is rebuilt from scratch.
    await destroyRun(lab.runid);
    writeOwner(lab.runid, false);
    mkdirSync(join(lab.dir, 'logs'), { recursive: true });
    try {
      await lab.build(opts.keep ?? false);
    } catch (err) {
      await lab.down();
      throw err;
    }
    return lab;
  }

  private async build(keep: boolean): Promise<void> {
    const t0 = Date.now();
    const pkiP = makePki(this.dir);
    await Promise.all(HOSTS.map((h) => must('ip', ['netns', 'add', this.ns(h)])));
    await Promise.all(HOSTS.map((h) => this.script(h, sysctlScript(h))));
    await Promise.all(HOSTS.map((h) => this.script(h, ['set -e', ...linkScript(h, (x) => this.ns(x))])));
    await Promise.all(HOSTS.map((h) => this.script(h, configScript(h))));
    for (const h of HOSTS) writeEtc(this.ns(h), h);
    this.log('up.network', { n: HOSTS.length, ms: Date.now() - t0 });
    this.pki = await pkiP;
    this.log('up.pki', { ms: Date.now() - t0 });
    this.builtSpecs = services(this.dir, this.pki, process.execPath, SERVERS_DIR);
    for (const spec of this.builtSpecs) await this.start(spec);
    await this.waitReady(this.builtSpecs);
    this.log('up.services', { n: this.builtSpecs.length, ms: Date.now() - t0 });
    for (const h of HOSTS) this.baseline.set(h, await this.fingerprint(h));
    writeOwner(this.runid, keep);
  }

  private async start(spec: ServiceSpec): Promise<void> {
    const pid = await startService(this.ns(spec.host), spec.argv, join(this.dir, 'logs', `${spec.name}.log`));
    this.running.set(spec.name, { spec, pid });
    recordService(this.runid, { name: spec.name, pid, start: procStart(pid) ?? '', cmd: spec.argv.join(' ') });
  }

  private async stop(name: string): Promise<void> {
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    try {
      process.kill(r.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 100 && procStart(r.pid) !== null; i++) await sleep(20);
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  /** Waits until every listed socket of these services is listening (8 s at most). */
  private async waitReady(specs: ServiceSpec[]): Promise<void> {
    const deadline = Date.now() + 8000;
    const byHost = new Map<Host, ServiceSpec[]>();
    for (const s of specs) byHost.set(s.host, [...(byHost.get(s.host) ?? []), s]);
    for (const [host, list] of byHost) {
      for (;;) {
        const out = await this.exec(host, ['ss', '-Hlntu']);
        const socks = out.stdout.split('\n').map((l) => l.trim().split(/\s+/));
        const missing = list.flatMap((s) =>
          s.listens
            .filter((l) => !socks.some((c) => c[0] === l.proto && (c[4] === `${l.addr}:${l.port}` || c[4] === `[${l.addr}]:${l.port}` || c[4]?.startsWith(`${l.addr}%`))))
            .map((l) => `${s.name} (${l.proto} ${l.addr}:${l.port})`),
        );
        if (missing.length === 0) break;
        const dead = list.filter((s) => {
          const r = this.running.get(s.name);
          return r && procStart(r.pid) === null;
        });
        if (dead.length > 0 || Date.now() > deadline) {
          const text = (lang: Lang): string =>
            lt(lang, 'up.notListening', { names: missing.join(', ') }) + (dead.length ? lt(lang, 'up.exited', { names: dead.map((d) => d.name).join(', '), logs: join(this.dir, 'logs') }) : '');
          throw new NetdxError('E_TOOL', { en: text('en'), zh: text('zh') });
        }
        await sleep(40);
      }
    }
  }

  private script(host: Host, lines: string[]): Promise<string> {
    return must('ip', inNs(this.ns(host), ['sh', '-c', lines.join('\n')]));
  }

  /** Runs argv inside a host. */
  exec(host: Host, argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
    return run('ip', inNs(this.ns(host), argv), opts);
  }

  fingerprint(host: Host): Promise<string> {
    return this.script(host, [FINGERPRINT_SCRIPT]);
  }

  // ── fault injection with undo ────────────────────────────────────────

  /** Runs argv in host and throws when it fails (no undo). */
  async sh(host: Host, argv: string | readonly string[]): Promise<string> {
    this.touched.add(host);
    const args = typeof argv === 'string' ? argv.split(/\s+/).filter(Boolean) : argv;
    const r = await this.exec(host, args);
    if (r.code !== 0) throw new Error(`${host}: ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /** Runs `argv` in host now and `undo` when the scenario is reverted. */
  async change(host: Host, argv: string | readonly string[], undo: string | readonly string[]): Promise<void> {
    await this.sh(host, argv);
    this.undo.push({ what: `${host}: ${String(undo)}`, fn: async () => void (await this.sh(host, undo)) });
  }

  /** `ip ARGS` in host, undone with `ip UNDO`. */
  ip(host: Host, args: string, undo: string): Promise<void> {
    return this.change(host, `ip ${args}`, `ip ${undo}`);
  }

  /** Adds an iptables rule ('-A CHAIN …', '-I CHAIN …', optionally after '-t TABLE'); undone with -D. */
  async iptables(host: Host, rule: string, opts: { v6?: boolean } = {}): Promise<void> {
    const cmd = opts.v6 ? 'ip6tables' : 'iptables';
    const del = rule.replace(/(^|\s)-[AI](\s)/, '$1-D$2');
    if (del === rule) throw new Error(`iptables rule must use -A or -I: ${rule}`);
    await this.change(host, `${cmd} -w ${rule}`, `${cmd} -w ${del}`);
  }

  /** Sets a sysctl of the host's namespace; the old value comes back on revert. */
  async sysctl(host: Host, key: string, value: string): Promise<void> {
    const old = (await this.sh(host, ['sysctl', '-n', key])).trim();
    await this.change(host, ['sysctl', '-qw', `${key}=${value}`], ['sysctl', '-qw', `${key}=${old}`]);
  }

  /** Replaces the host's /etc/netns file (resolv.conf, hosts); the baseline comes back on revert. */
  etc(host: Host, file: EtcFile, text: string): void {
    const ns = this.ns(host);
    const old = readEtc(ns, file);
    replaceEtc(ns, file, text);
    this.undo.push({ what: `${host}: /etc/${file}`, fn: async () => replaceEtc(ns, file, old) });
  }

  /** The host's baseline /etc/netns file. */
  baselineEtc(host: Host, file: EtcFile): string {
    return baselineEtc(host, file);
  }

  /** Restarts resolver ns1/ns2 misbehaving; the normal resolver comes back on revert. */
  async dns(which: 'ns1' | 'ns2', variant: DnsVariant): Promise<void> {
    const listen = which === 'ns1' ? ADDR.ns1 : ADDR.ns2;
    await this.restart(which, dnsmasqArgv(listen, variant));
    this.undo.push({ what: `${which}: normal`, fn: () => this.restart(which, dnsmasqArgv(listen, { kind: 'normal' })) });
  }

  /** Stops a service; it is started again on revert. */
  async stopService(name: string): Promise<void> {
    const r = this.running.get(name);
    if (!r) throw new Error(`no running service ${name}`);
    await this.stop(name);
    this.undo.push({ what: `start ${name}`, fn: () => this.restart(name, r.spec.argv) });
  }

  async background(host: Host, name: string, argv: readonly string[], ready?: string): Promise<void> {
    this.touched.add(host);
    const spec: ServiceSpec = { name, host, argv: [...argv], listens: [] };
    await this.start(spec);
    const pid = this.running.get(name)!.pid;
    this.undo.push({ what: `stop ${name}`, fn: () => this.stop(name) });
    if (!ready) return;
    const deadline = Date.now() + 5000;
    for (;;) {
      if ((await this.exec(host, ['sh', '-c', ready])).code === 0) return;
      if (procStart(pid) === null) throw new Error(`${name} exited (see ${join(this.dir, 'logs', `${name}.log`)})`);
      if (Date.now() > deadline) throw new Error(`${name}: not ready within 5 s (${ready})`);
      await sleep(30);
    }
  }

  private async restart(name: string, argv: string[]): Promise<void> {
    const spec = this.running.get(name)?.spec ?? this.builtSpecs.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown service ${name}`);
    await this.stop(name);
    const next = { ...spec, argv };
    await this.start(next);
    await this.waitReady([next]);
  }

  /**
   * Undoes the current scenario: its recorded undo steps in reverse order, then the safety net
   * (links, addresses, routes, firewall, conntrack of every host it touched back to the build),
   * then a check that those hosts look exactly as built. Returns what did not come back.
   */
  async revert(): Promise<string[]> {
    const problems: string[] = [];
    for (const u of this.undo.reverse()) {
      try {
        await u.fn();
      } catch (err) {
        problems.push(`undo ${u.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.undo = [];
    const touched = [...this.touched];
    this.touched = new Set();
    await Promise.all(touched.map((h) => this.script(h, restoreScript(h)).catch((err: Error) => void problems.push(`restore ${h}: ${err.message}`))));
    const untouched = HOSTS.filter((h) => !touched.includes(h));
    await Promise.all(untouched.map((h) => this.script(h, FORGET_PATH_STATE).catch((err: Error) => void problems.push(`forget path state ${h}: ${err.message}`))));
    for (const h of touched) {
      const now = await this.fingerprint(h);
      const was = this.baseline.get(h) ?? '';
      if (now !== was) {
        const a = new Set(was.split('\n'));
        const b = new Set(now.split('\n'));
        const gone = [...a]
          .filter((l) => !b.has(l))
          .slice(0, 2)
          .map((l) => `-${l.trim()}`);
        const added = [...b]
          .filter((l) => !a.has(l))
          .slice(0, 2)
          .map((l) => `+${l.trim()}`);
        problems.push(`${h} differs from the built lab after revert (${[...gone, ...added].join(' | ')})`);
      }
    }
    return problems;
  }

  /** Tears everything down: services, processes in the namespaces, namespaces, /etc/netns, state. */
  async down(): Promise<void> {
    for (const name of [...this.running.keys()]) {
      const r = this.running.get(name)!;
      try {
        process.kill(r.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.running.clear();
    await destroyRun(this.runid);
    for (const h of HOSTS) removeEtc(this.ns(h));
  }
}
