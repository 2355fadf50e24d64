/**
 * `netdx lab fleet-demo`: the field case across a fleet. Three regions (bj, sh, sz), each a
 * client namespace behind its own region router, with several `netdx agent` processes per region
 * (own names and labels); one `netdx server` on a management network; an application server
 * behind a core router. The demo injects Shanghai's misroute (a host route to the server via the
 * HK ISP's router on the Shanghai LAN, which silently discards it), waits for the server's
 * incident — region=sh, NET-004, the misrouting gateway as common evidence — checks that Beijing
 * and Shenzhen stay green, repairs the route and waits for the recovery. Every time is measured
 * from the injection.
 *
 *   app 203.0.113.80 ── core ─┬─ r-bj ── c-bj 100.64.10.10   (agents bj-01…)
 *                             ├─ r-sh ─┬─ c-sh 100.64.20.10  (agents sh-01…)
 *                             │        └─ hk 100.64.20.254 (HK ISP router: drops transit)
 *                             └─ r-sz ── c-sz 100.64.30.10   (agents sz-01…)
 *   mgmt (server) ── 100.127.N.0/30 ── c-bj, c-sh, c-sz      (reports never cross the data path)
 *
 * Addresses are lab ranges only (lab.md); nothing touches the root namespace.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { netnsSet, removeStaleNamespaces, type NetnsSet } from './netns.js';
import { etcDir } from './netfiles.js';
import { NETDX_BIN } from './runner.js';
import type { Lang } from '../model/layer.js';
import { lt, type LabMessageKey } from './messages.js';

export const REGIONS = [
  { region: 'bj', n: 1 },
  { region: 'sh', n: 2 },
  { region: 'sz', n: 3 },
] as const;
export const APP = '203.0.113.80';
export const HK_GW = '100.64.20.254';
const PORT = 9720;

export interface FleetDemoOptions {
  perRegion: number;
  intervalS: number;
  log: (line: string) => void;
  /** The language of the progress lines, the failures and the server's and agents' own lines (en by default). */
  lang?: Lang;
  /** Stop waiting for a step after this long. */
  stepTimeoutMs?: number;
}

export interface FleetDemoResult {
  pass: boolean;
  agents: number;
  /** ms from the injection. */
  classifiedMs: number | null;
  locatedMs: number | null;
  recoveredMs: number | null;
  incident: Record<string, unknown> | null;
  othersGreen: boolean;
  failures: string[];
}

function buildNetwork(set: NetnsSet): void {
  for (const h of ['app', 'core', 'mgmt', 'hk', ...REGIONS.flatMap((r) => [`r-${r.region}`, `c-${r.region}`])]) {
    const router = h === 'core' || h.startsWith('r-');
    set.add(h, [`net.ipv4.ip_forward=${router ? 1 : 0}`, 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
  }
  set.veth({ host: 'core', dev: 'app0', addrs: ['203.0.113.81/28'] }, { host: 'app', dev: 'eth0', addrs: [`${APP}/28`] });
  set.exec('app', ['ip', 'route', 'add', 'default', 'via', '203.0.113.81']);
  for (const { region, n } of REGIONS) {
    const up = 128 + 4 * (n - 1);
    set.veth({ host: 'core', dev: `${region}0`, addrs: [`198.51.100.${up + 1}/30`] }, { host: `r-${region}`, dev: 'up0', addrs: [`198.51.100.${up + 2}/30`] });
    set.exec(`r-${region}`, ['ip', 'route', 'add', 'default', 'via', `198.51.100.${up + 1}`]);
    set.exec('core', ['ip', 'route', 'add', `100.64.${n}0.0/24`, 'via', `198.51.100.${up + 2}`]);
    // The region's LAN: a bridge in its router, so the HK ISP's router can sit on Shanghai's.
    const r = `r-${region}`;
    set.exec(r, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    set.exec(r, ['ip', 'addr', 'add', `100.64.${n}0.1/24`, 'dev', 'br0']);
    set.exec(r, ['ip', 'link', 'set', 'br0', 'up']);
    set.veth({ host: r, dev: 'p-client' }, { host: `c-${region}`, dev: 'eth0', addrs: [`100.64.${n}0.10/24`] });
    set.exec(r, ['ip', 'link', 'set', 'p-client', 'master', 'br0']);
    set.exec(`c-${region}`, ['ip', 'route', 'add', 'default', 'via', `100.64.${n}0.1`]);
    set.veth({ host: 'mgmt', dev: `${region}0`, addrs: [`100.127.${n}.1/30`] }, { host: `c-${region}`, dev: 'mg0', addrs: [`100.127.${n}.2/30`] });
    const etc = etcDir(set.ns(`c-${region}`));
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'resolv.conf'), '# netdx fleet demo: no resolver (targets are addresses)\nnameserver 203.0.113.66\n');
    writeFileSync(join(etc, 'hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\tc-${region}\n`);
  }
  set.veth({ host: 'r-sh', dev: 'p-hk' }, { host: 'hk', dev: 'lan0', addrs: [`${HK_GW}/24`] });
  set.exec('r-sh', ['ip', 'link', 'set', 'p-hk', 'master', 'br0']);
}

/** GET from the server inside the management namespace (the root namespace has no link to it). */
function apiGet(set: NetnsSet, path: string, token: string): unknown {
  const script = `fetch('http://127.0.0.1:${PORT}${path}',{headers:{authorization:'Bearer '+process.env.T}}).then(r=>r.text()).then(t=>process.stdout.write(t)).catch(e=>{process.stderr.write(String(e));process.exit(1)})`;
  const out = execFileSync('ip', ['netns', 'exec', set.ns('mgmt'), process.execPath, '-e', script], { encoding: 'utf8', env: { ...process.env, T: token }, timeout: 10_000 });
  return JSON.parse(out) as unknown;
}

/** A step the demo waits for: its failure names it in the demo's language. */
class TimedOut extends Error {}

async function waitFor<T>(lang: Lang, what: LabMessageKey, ms: number, fn: () => T | null): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | null = null;
    try {
      v = fn();
    } catch {
      v = null;
    }
    if (v !== null) return v;
    if (Date.now() > end) throw new TimedOut(lt(lang, 'fd.timedOut', { s: Math.round(ms / 1000), what: lt(lang, what) }));
    await new Promise((r) => setTimeout(r, 500));
  }
}

function spawnLogged(set: NetnsSet, host: string, args: string[], logs: string[], tag: string): ChildProcess {
  const c = set.spawn(host, process.execPath, [NETDX_BIN, ...args]);
  const keep = (d: Buffer): void => {
    for (const line of d.toString('utf8').split('\n')) if (line.trim()) logs.push(`${tag}: ${line}`);
    if (logs.length > 2000) logs.splice(0, 1000);
  };
  c.stdout?.on('data', keep);
  c.stderr?.on('data', keep);
  return c;
}

type Incident = {
  code: string;
  status: string;
  scope: { kind: string; key?: string; values?: string[] };
  summary: string;
  locatedAt: string | null;
  recoveredAt: string | null;
  commonEvidence: Array<{ value: string }>;
};

export async function runFleetDemo(o: FleetDemoOptions): Promise<FleetDemoResult> {
  removeStaleNamespaces(/^ndx-fd(\d+)-/);
  const set = netnsSet(`ndx-fd${process.pid}`);
  const dir = mkdtempSync(join(tmpdir(), 'netdx-fleet-demo-'));
  const logs: string[] = [];
  const stepMs = o.stepTimeoutMs ?? 60_000;
  const lang = o.lang ?? 'en';
  const say = (key: LabMessageKey, vars: Record<string, string | number> = {}): void => o.log(lt(lang, key, vars));
  const s1 = (ms: number): string => (ms / 1000).toFixed(1);
  const result: FleetDemoResult = { pass: false, agents: 0, classifiedMs: null, locatedMs: null, recoveredMs: null, incident: null, othersGreen: false, failures: [] };
  try {
    say('fd.building');
    buildNetwork(set);
    set.spawn('app', process.execPath, ['-e', `require('net').createServer(c=>{c.on('error',()=>{});c.pipe(c)}).listen(443,'${APP}')`]);
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, `interval: ${o.intervalS}s\ndown-after: 2\ntargets:\n  - name: app\n    target: ${APP}:443\n    protocol: tcp\n    timeout: 2s\n`);
    const data = join(dir, 'server');
    const tok = (args: string[]): string =>
      execFileSync(process.execPath, [NETDX_BIN, 'server', 'token', 'create', '--data', data, ...args], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop()!;
    const operator = tok(['--operator', '--name', 'demo']);
    spawnLogged(set, 'mgmt', ['server', '--listen', `0.0.0.0:${PORT}`, '--data', data, '--targets', targets, '--heartbeat', String(o.intervalS), '--lang', lang], logs, 'server');
    const names: string[] = [];
    for (const { region, n } of REGIONS) {
      for (let i = 1; i <= o.perRegion; i++) {
        const name = `${region}-${String(i).padStart(2, '0')}`;
        names.push(name);
        const token = tok(['--name', name, '--labels', `region=${region},site=${region}-${i % 2 ? 'a' : 'b'}`]);
        spawnLogged(set, `c-${region}`, ['agent', '--server', `http://100.127.${n}.1:${PORT}`, '--token', token, '--data', join(dir, name), '--lang', lang], logs, name);
      }
    }
    result.agents = names.length;
    say('fd.started', { n: names.length, per: o.perRegion });
    type AgentRow = { name: string; targets: Array<{ target: string; state: string }> };
    const upAll = (): boolean => {
      const agents = apiGet(set, '/api/agents', operator) as AgentRow[];
      return names.every((n) => agents.find((a) => a.name === n)?.targets.some((t) => t.target === 'app' && t.state === 'up'));
    };
    await waitFor(lang, 'fd.wait.up', stepMs, () => (upAll() ? true : null));

    say('fd.injecting', { command: `ip route add ${APP}/32 via ${HK_GW} dev eth0` });
    const t0 = Date.now();
    set.exec('c-sh', ['ip', 'route', 'add', `${APP}/32`, 'via', HK_GW, 'dev', 'eth0']);
    const regional = (i: Incident): boolean => i.scope.kind === 'label' && i.scope.key === 'region' && i.scope.values?.join(',') === 'sh';
    const open = (): Incident[] => apiGet(set, '/api/incidents?status=open', operator) as Incident[];
    const incident = await waitFor(lang, 'fd.wait.classified', stepMs, () => open().find((i) => i.code !== 'UNCLASSIFIED' && regional(i)) ?? null);
    result.classifiedMs = Date.now() - t0;
    say('fd.classified', { s: s1(result.classifiedMs), code: incident.code });
    let located: Incident | null = null;
    try {
      located = await waitFor(lang, 'fd.wait.located', stepMs, () => open().find((i) => i.locatedAt !== null && regional(i) && i.commonEvidence.some((e) => e.value.includes(HK_GW))) ?? null);
    } catch (err) {
      located = open().find((i) => i.code === incident.code) ?? incident;
      result.failures.push(err instanceof TimedOut ? err.message : lt(lang, 'fd.error', { why: (err instanceof Error ? err.message : String(err)).split('\n')[0]! }));
    }
    result.locatedMs = located.locatedAt ? Date.now() - t0 : null;
    result.incident = located as unknown as Record<string, unknown>;
    say('fd.located', { s: s1(result.locatedMs ?? 0), summary: located.summary });
    const agents = apiGet(set, '/api/agents', operator) as AgentRow[];
    result.othersGreen = agents.filter((a) => !a.name.startsWith('sh-')).every((a) => a.targets.every((t) => t.state === 'up'));
    if (located.code !== 'NET-004') result.failures.push(lt(lang, 'fd.wrongCode', { code: located.code }));
    if (!result.othersGreen) result.failures.push(lt(lang, 'fd.notGreen'));

    say('fd.repairing', { command: `ip route del ${APP}/32 via ${HK_GW}` });
    const t1 = Date.now();
    set.exec('c-sh', ['ip', 'route', 'del', `${APP}/32`, 'via', HK_GW, 'dev', 'eth0']);
    await waitFor(lang, 'fd.wait.recovered', stepMs, () => {
      const list = apiGet(set, '/api/incidents?status=recovered', operator) as Incident[];
      return list.find((i) => i.code === located.code) ?? null;
    });
    result.recoveredMs = Date.now() - t0;
    say('fd.recovered', { s: s1(Date.now() - t1) });
    result.pass = result.failures.length === 0;
    if (!result.pass) for (const l of logs.slice(-40)) o.log(`  ${l}`);
  } catch (err) {
    result.failures.push(err instanceof TimedOut ? err.message : lt(lang, 'fd.error', { why: (err instanceof Error ? err.message : String(err)).split('\n')[0]! }));
    for (const l of logs.slice(-30)) o.log(`  ${l}`);
  } finally {
    set.destroy();
    for (const r of REGIONS) rmSync(etcDir(set.ns(`c-${r.region}`)), { recursive: true, force: true });
    if (process.env['NETDX_DEMO_KEEP_DATA']) say('fd.dataKept', { dir });
    else rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
