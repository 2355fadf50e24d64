/**
 * The lab's bookkeeping on disk, so that a run killed with SIGKILL can be cleaned by the next one:
 * `/run/netdx-lab/<runid>/owner.json` (the owning process, its start time, whether the lab is
 * kept up on purpose) and `services.jsonl` (each service's PID, start time and command line).
 * Namespaces are named `ndx-lab-<runid>-<host>`; other `ndx-*` namespaces belong to other tools'
 * tests and are never touched.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.js';
import type { Host } from './topology.js';

export const STATE_ROOT = process.env.NETDX_LAB_STATE ?? '/run/netdx-lab';
export const NS_PREFIX = 'ndx-lab-';
const NS_RE = /^ndx-lab-([0-9]+)-([a-z0-9]+)$/;

export const nsName = (runid: string, host: Host | string): string => `${NS_PREFIX}${runid}-${host}`;
export const stateDir = (runid: string): string => join(STATE_ROOT, runid);

export interface Owner {
  pid: number;
  start: string;
  kept: boolean;
  createdAt: string;
}

export interface ServiceRecord {
  name: string;
  pid: number;
  start: string;
  cmd: string;
}

/** Start time of a running process (field 22 of /proc/PID/stat), or null when it does not exist or is a zombie. */
export function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function procCmd(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

export function writeOwner(runid: string, kept: boolean): void {
  const dir = stateDir(runid);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner: Owner = { pid: process.pid, start: procStart(process.pid) ?? '', kept, createdAt: new Date().toISOString() };
  writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner) + '\n');
}

export function readOwner(runid: string): Owner | null {
  try {
    return JSON.parse(readFileSync(join(stateDir(runid), 'owner.json'), 'utf8')) as Owner;
  } catch {
    return null;
  }
}

export function recordService(runid: string, rec: ServiceRecord): void {
  appendFileSync(join(stateDir(runid), 'services.jsonl'), JSON.stringify(rec) + '\n');
}

export function readServices(runid: string): ServiceRecord[] {
  try {
    return readFileSync(join(stateDir(runid), 'services.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as ServiceRecord);
  } catch {
    return [];
  }
}

/** Whether the lab `runid` still has a living owner (or was kept up on purpose). */
export function isLive(runid: string): boolean {
  const owner = readOwner(runid);
  if (owner) return owner.kept || (procStart(owner.pid) !== null && procStart(owner.pid) === owner.start);
  // No bookkeeping (crashed before writing it): the run id is the owner's PID.
  const cmd = procCmd(Number(runid));
  return cmd !== null && /netdx|lab/.test(cmd);
}

export async function labNamespaces(): Promise<Array<{ ns: string; runid: string; host: string }>> {
  const r = await run('ip', ['netns', 'list']);
  const out: Array<{ ns: string; runid: string; host: string }> = [];
  for (const line of r.stdout.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const m = NS_RE.exec(name);
    if (m) out.push({ ns: name, runid: m[1]!, host: m[2]! });
  }
  return out;
}

export function labRunIds(): string[] {
  if (!existsSync(STATE_ROOT)) return [];
  return readdirSync(STATE_ROOT).filter((d) => /^[0-9]+$/.test(d));
}

const killPid = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
};

/**
 * Removes everything of lab `runid`: its services (by recorded PID, only while the PID's start
 * time still matches the record, so a reused PID is never hit), every process left inside its namespaces (`ip netns pids`), the
 * namespaces, their /etc/netns directories and the state directory.
 */
export async function destroyRun(runid: string, namespaces?: string[]): Promise<void> {
  const services = readServices(runid).filter((s) => procStart(s.pid) === s.start);
  for (const s of services) killPid(s.pid);
  const names = namespaces ?? (await labNamespaces()).filter((n) => n.runid === runid).map((n) => n.ns);
  await Promise.all(
    names.map(async (ns) => {
      const pids = await run('ip', ['netns', 'pids', ns]);
      for (const p of pids.stdout.split(/\s+/).filter(Boolean)) killPid(Number(p));
    }),
  );
  // SIGKILL is asynchronous: wait (1 s at most) until the recorded services are gone.
  for (let i = 0; i < 50 && services.some((s) => procStart(s.pid) === s.start); i++) await new Promise((r) => setTimeout(r, 20));
  await Promise.all(names.map((ns) => run('ip', ['netns', 'del', ns])));
  // /etc/netns entries of this run, also those whose namespace is already gone.
  const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns').filter((d) => NS_RE.exec(d)?.[1] === runid) : [];
  for (const d of new Set([...names, ...etc])) rmSync(join('/etc/netns', d), { recursive: true, force: true });
  rmSync(stateDir(runid), { recursive: true, force: true });
}

/** Cleans what crashed lab runs left behind; returns the run ids it removed. Live labs are left alone. */
export async function cleanStale(exceptRunid?: string): Promise<string[]> {
  const nss = await labNamespaces();
  const ids = new Set([...nss.map((n) => n.runid), ...labRunIds()]);
  const removed: string[] = [];
  for (const id of ids) {
    if (id === exceptRunid || isLive(id)) continue;
    await destroyRun(
      id,
      nss.filter((n) => n.runid === id).map((n) => n.ns),
    );
    removed.push(id);
  }
  // /etc/netns directories of lab namespaces that no longer exist.
  if (existsSync('/etc/netns')) {
    const present = new Set(nss.map((n) => n.ns));
    for (const d of readdirSync('/etc/netns')) {
      const m = NS_RE.exec(d);
      if (m && !present.has(d) && m[1] !== exceptRunid && !isLive(m[1]!)) rmSync(join('/etc/netns', d), { recursive: true, force: true });
    }
  }
  return removed;
}
