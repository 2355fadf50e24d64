/**
 * A read-only picture of the root namespace's network configuration: links, addresses, routes
 * (every table, both families), policy rules, iptables/ip6tables rules and the nftables ruleset,
 * forwarding sysctls. Counters and address lifetimes are left out (they move on their own). The
 * lab test takes one before and one after a lab run: they must be identical.
 */
import { readFileSync } from 'node:fs';
import { run } from './exec.js';

const DROP_KEYS = new Set(['valid_life_time', 'preferred_life_time', 'expires', 'stats64', 'stats', 'used']);

function stripJson(text: string): unknown {
  const clean = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !DROP_KEYS.has(k))
          .map(([k, x]) => [k, clean(x)]),
      );
    return v;
  };
  try {
    return clean(JSON.parse(text));
  } catch {
    return text;
  }
}

const stripCounters = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '').replace(/counter packets \d+ bytes \d+/g, 'counter'))
    .join('\n');

export interface RootSnapshot {
  [what: string]: unknown;
}

export async function rootSnapshot(): Promise<RootSnapshot> {
  const out: RootSnapshot = {};
  const json: Array<[string, string[]]> = [
    ['links', ['-j', 'link']],
    ['addresses', ['-j', 'addr']],
    ['routes4', ['-j', '-4', 'route', 'show', 'table', 'all']],
    ['routes6', ['-j', '-6', 'route', 'show', 'table', 'all']],
    ['rules4', ['-j', '-4', 'rule']],
    ['rules6', ['-j', '-6', 'rule']],
  ];
  await Promise.all(
    json.map(async ([k, args]) => {
      const r = await run('ip', args);
      out[k] = r.code === 0 ? stripJson(r.stdout) : `exit ${r.code}`;
    }),
  );
  for (const [k, cmd, args] of [
    ['iptables', 'iptables-save', []],
    ['ip6tables', 'ip6tables-save', []],
    ['nft', 'nft', ['list', 'ruleset']],
  ] as Array<[string, string, string[]]>) {
    const r = await run(cmd, args).catch(() => null);
    out[k] = r && r.code === 0 ? stripCounters(r.stdout) : 'unavailable';
  }
  for (const p of ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding']) {
    try {
      out[p] = readFileSync(p, 'utf8').trim();
    } catch {
      out[p] = 'unreadable';
    }
  }
  return out;
}
