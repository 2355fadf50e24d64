/**
 * What a lab scenario is: data (id, story, target, options, expected primary code) plus the small
 * steps that inject its fault into the running lab. Scenarios are listed explicitly in
 * scenarios/index.ts and checked once by `checkScenarios` (unique sorted ids, known codes,
 * pending only on an open issue, parsable targets).
 */
import type { Host } from './topology.js';
import type { EtcFile } from './netfiles.js';
import type { DnsVariant } from './services.js';
import type { Pki } from './certs.js';

/** What a scenario may do to the lab; every change is undone after the scenario. */
export interface LabApi {
  /** The lab's PKI (certificate and key files), for servers a scenario starts. */
  readonly pki: Pki;
  /** The run's working directory (files a scenario writes go under it). */
  readonly dir: string;
  /** Runs argv in a host and throws when it fails (for reads and checks; no undo). */
  sh(host: Host, argv: string | readonly string[]): Promise<string>;
  /** Runs argv in a host now and `undo` when the scenario is reverted. */
  change(host: Host, argv: string | readonly string[], undo: string | readonly string[]): Promise<void>;
  /** `ip ARGS` in a host, undone with `ip UNDO`. */
  ip(host: Host, args: string, undo: string): Promise<void>;
  /** Adds an iptables/ip6tables rule ('-A CHAIN …' / '-I CHAIN …' / '-t TABLE -A …'); undone with -D. */
  iptables(host: Host, rule: string, opts?: { v6?: boolean }): Promise<void>;
  /** Sets a sysctl inside a host's namespace; the old value comes back. */
  sysctl(host: Host, key: string, value: string): Promise<void>;
  /** Replaces a host's /etc file as `ip netns exec` shows it (resolv.conf, hosts). */
  etc(host: Host, file: EtcFile, text: string): void;
  /** The host's file as built. */
  baselineEtc(host: Host, file: EtcFile): string;
  /** Restarts a resolver misbehaving. */
  dns(which: 'ns1' | 'ns2', variant: DnsVariant): Promise<void>;
  /** Stops a lab service (it is started again afterwards). */
  stopService(name: string): Promise<void>;
  /**
   * Starts a helper process in a host for this scenario (killed on revert); resolves once
   * `ready` (a shell condition run in the host, e.g. `ip link show dl0`) succeeds, 5 s at most.
   */
  background(host: Host, name: string, argv: readonly string[], ready?: string): Promise<void>;
}

export type Expected = 'ok' | 'unknown' | `${'HOST' | 'DNS' | 'NET' | 'VPN' | 'TCP' | 'TLS' | 'APP'}-${string}`;

export interface Scenario {
  /** Lower-case, `<code or ok>-<what>`, e.g. `net-001-no-default-route`; also the file name. */
  id: string;
  story: { en: string; zh?: string };
  /**
   * The expected primary code, or 'ok' (verdict ok/degraded with no error finding), or 'unknown'
   * (verdict unknown: netdx could not judge and says so, exit 3 — for hostile servers no code names).
   */
  expect: Expected;
  /** Layer rows that must have this status (e.g. { tls: 'unknown' }: the layer must not say pass). */
  layerStatus?: Record<string, 'pass' | 'warn' | 'fail' | 'skip' | 'unknown'>;
  /** Codes that must also be among the findings (e.g. a warning beside the verdict). */
  alsoExpect?: string[];
  /** The host that runs `netdx diagnose` (default: client). */
  host?: 'client' | 'client2';
  /** The command run (default diagnose); `load` prints a netdx.load/v1 result judged the same way (verdict, primary, findings). */
  command?: 'diagnose' | 'load';
  /** The TARGET argument of `netdx diagnose` (or `netdx load`). */
  target: string;
  /**
   * Further options. Placeholders: {ca} the lab CA, {ca+inspection} the lab CA plus the TLS
   * inspection CA, {client-cert} {client-key}, {www-pin} the real www.lab.test certificate.
   */
  args?: string[];
  /** Environment of the diagnosis (e.g. a proxy variable); PATH and LANG are always set. */
  env?: Record<string, string>;
  /** Injects the fault; omitted for healthy baselines. */
  inject?(lab: LabApi): Promise<void>;
  /**
   * Offline parity: the primary code (or 'ok') that `netdx analyze` must give on a snapshot
   * (`netdx collect`) taken in the host while the fault is in place — for faults that the
   * machine's own state shows (routes, firewall, resolver config, tunnel state).
   */
  offline?: Expected;
  /** Set while the open issue this scenario waits on is open: run and shown apart, not counted. */
  pendingIssue?: number;
}

export interface CheckContext {
  /** Codes of the fault catalog. */
  codes: ReadonlySet<string>;
  openIssues: ReadonlySet<number>;
  /** Throws for a target `netdx diagnose` would reject. */
  parseTarget(input: string): void;
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Every problem of a scenario list, one line each (empty when all is well). */
export function checkScenarios(list: readonly Scenario[], ctx: CheckContext): string[] {
  const errs: string[] = [];
  const seen = new Set<string>();
  list.forEach((s, i) => {
    const at = `scenario ${s.id || `#${i}`}`;
    if (!ID.test(s.id)) errs.push(`${at}: id must be lower-case words joined by '-'`);
    if (seen.has(s.id)) errs.push(`${at}: duplicate id`);
    seen.add(s.id);
    if (i > 0 && list[i - 1]!.id.localeCompare(s.id) > 0) errs.push(`${at}: the index is not sorted (after ${list[i - 1]!.id})`);
    if (!s.story.en.trim()) errs.push(`${at}: story.en is empty`);
    if (s.expect !== 'ok' && s.expect !== 'unknown' && !ctx.codes.has(s.expect)) errs.push(`${at}: expect '${s.expect}' is not a code of the fault catalog`);
    // The id starts with the expected code, or 'ok-', or (a healthy run with a warning) the warning's code.
    const prefixes = s.expect === 'unknown' ? ['unknown-'] : s.expect === 'ok' ? ['ok-', ...(s.alsoExpect ?? []).map((c) => `${c.toLowerCase()}-`)] : [`${s.expect.toLowerCase()}-`];
    if (ID.test(s.id) && !prefixes.some((p) => s.id.startsWith(p)) && !s.id.startsWith('seed-')) errs.push(`${at}: id must start with ${prefixes.map((p) => `'${p}'`).join(' or ')} (or 'seed-')`);
    for (const c of s.alsoExpect ?? []) if (!ctx.codes.has(c)) errs.push(`${at}: alsoExpect '${c}' is not a code of the fault catalog`);
    if (s.offline !== undefined && s.offline !== 'ok' && s.offline !== 'unknown' && !ctx.codes.has(s.offline)) errs.push(`${at}: offline '${s.offline}' is not a code of the fault catalog`);
    // Offline parity is for faults the machine's own state shows: a fault it cannot see is 'ok' offline, never another code.
    else if (s.offline !== undefined && s.offline !== 'ok' && s.offline !== 'unknown' && s.offline !== s.expect) errs.push(`${at}: offline '${s.offline}' differs from expect '${s.expect}'`);
    if (s.pendingIssue !== undefined && !ctx.openIssues.has(s.pendingIssue)) errs.push(`${at}: pending on issue ${s.pendingIssue}, which is not open: run it for real (drop pendingIssue)`);
    try {
      ctx.parseTarget(s.target);
    } catch (err) {
      errs.push(`${at}: target: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const a of s.args ?? []) {
      for (const m of a.matchAll(/\{([^}]*)\}/g)) if (!PLACEHOLDERS.includes(m[1]!)) errs.push(`${at}: unknown placeholder {${m[1]}}`);
    }
  });
  return errs;
}

export const PLACEHOLDERS = ['ca', 'ca+inspection', 'client-cert', 'client-key', 'www-pin'];

/** Fills the placeholders of a scenario's args. */
export function fillArgs(args: readonly string[], values: Record<string, string>): string[] {
  return args.map((a) =>
    a.replace(/\{([^}]*)\}/g, (_m, k: string) => {
      const v = values[k];
      if (v === undefined) throw new Error(`unknown placeholder {${k}}`);
      return v;
    }),
  );
}
