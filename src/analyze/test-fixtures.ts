/** Test helper: snapshots built from the captured fixtures of test/fixtures/analyze and test/fixtures/system. */
import { readFileSync } from 'node:fs';
import { parseLinks } from '../system/parse/links.js';
import { parseRoutes } from '../system/parse/routes.js';
import { parsePolicyRules } from '../system/parse/rules.js';
import type { Snapshot } from '../model/snapshot.js';

const DIR = new URL('../../test/fixtures/analyze/', import.meta.url);
const SYS = new URL('../../test/fixtures/system/', import.meta.url);

export const analyzeFixture = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
export const systemFixture = (name: string): string => readFileSync(new URL(name, SYS), 'utf8');

const off = { ok: false as const, unavailable: 'not collected' };

/** A snapshot with only what the analyzers read; firewall parts default to "not collected". */
export function snapshotOf(parts: Partial<Pick<Snapshot, 'links' | 'routes' | 'rules' | 'firewall' | 'sysctls'>>): Snapshot {
  return {
    schema: 'netdx.snapshot/v1',
    collectedAt: '2026-01-01T00:00:00.000Z',
    hostname: 'fixture',
    kernel: '6.1',
    uid: 0,
    links: parts.links ?? off,
    routes: parts.routes ?? off,
    rules: parts.rules ?? off,
    neighbors: off,
    resolv: off,
    hosts: off,
    nsswitch: off,
    firewall: parts.firewall ?? { iptables: off, ip6tables: off, nft: off, ufw: off },
    sysctls: parts.sysctls ?? off,
    listening: off,
    proxyEnv: {},
    time: { local: '2026-01-01T00:00:00', timezone: 'UTC', ntpSynchronized: null },
  };
}

/** Host a (client) or b (server) of the analyze lab, with a scenario's firewall dumps. */
export function labSnapshot(host: 'a' | 'b', scenario?: string, edit: (text: string, file: 'iptables' | 'ip6tables') => string = (t) => t): Snapshot {
  const f = (n: string) => analyzeFixture(`${host}-${n}`);
  const fw = scenario
    ? {
        iptables: { ok: true as const, value: edit(analyzeFixture(`${scenario}.iptables-save.txt`), 'iptables') },
        ip6tables: { ok: true as const, value: edit(analyzeFixture(`${scenario}.ip6tables-save.txt`), 'ip6tables') },
        nft: { ok: true as const, value: JSON.parse(analyzeFixture(`${scenario}.nft.json`)) as unknown },
        ufw: off,
      }
    : undefined;
  return snapshotOf({
    links: { ok: true, value: parseLinks(f('ip-addr.json')) },
    routes: { ok: true, value: [...parseRoutes(f('ip-route4.json'), 4), ...parseRoutes(f('ip-route6.json'), 6)] },
    rules: { ok: true, value: [...parsePolicyRules(f('ip-rule4.json'), 4), ...parsePolicyRules(f('ip-rule6.json'), 6)] },
    ...(fw ? { firewall: fw } : {}),
  });
}

export interface RecordedFlow {
  proto: 'tcp' | 'udp' | 'icmp';
  family: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  chain: 'OUTPUT' | 'INPUT';
  /** Rules (and policies) whose counters moved when the kernel saw this packet. */
  kernel: string[];
}

export const recordedFlows = (scenario: string): RecordedFlow[] => JSON.parse(analyzeFixture(`${scenario}.flows.json`)) as RecordedFlow[];

/** The lab client's routes and policy rules (both families), alone in a snapshot: for route explain. */
export function labRoutesSnapshot(): ReturnType<typeof snapshotOf> {
  return snapshotOf({
    routes: { ok: true, value: [...parseRoutes(systemFixture('lab-ip-route4.json'), 4), ...parseRoutes(systemFixture('lab-ip-route6.json'), 6)] },
    rules: { ok: true, value: [...parsePolicyRules(systemFixture('lab-ip-rule4.json'), 4), ...parsePolicyRules(systemFixture('lab-ip-rule6.json'), 6)] },
  });
}
