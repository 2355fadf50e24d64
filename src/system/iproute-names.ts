/**
 * The names iproute2 prints for numbers: routing tables, protocols, scopes and DS fields, from its
 * own files (/etc/iproute2/rt_*, /usr/share/iproute2/rt_*, and their `.d/*.conf`), with its
 * built-in defaults when the files are missing (the reserved numbers are always iproute2's own
 * names). Read once per process, on the first number that is not reserved.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type NameFile = 'rt_tables' | 'rt_protos' | 'rt_scopes' | 'rt_dsfield';

/** iproute2's defaults, which its files repeat. */
const BUILT_IN: Record<NameFile, Record<number, string>> = {
  rt_tables: { 0: 'unspec', 253: 'default', 254: 'main', 255: 'local' },
  rt_protos: {
    0: 'unspec',
    1: 'redirect',
    2: 'kernel',
    3: 'boot',
    4: 'static',
    8: 'gated',
    9: 'ra',
    10: 'mrt',
    11: 'zebra',
    12: 'bird',
    13: 'dnrouted',
    14: 'xorp',
    15: 'ntk',
    16: 'dhcp',
    17: 'mrouted',
    18: 'keepalived',
    42: 'babel',
    99: 'openr',
    186: 'bgp',
    187: 'isis',
    188: 'ospf',
    189: 'rip',
    192: 'eigrp',
  },
  rt_scopes: { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' },
  rt_dsfield: {},
};

const DIRS = ['/usr/share/iproute2', '/etc/iproute2'];
const cache = new Map<NameFile, Map<number, string>>();

function load(file: NameFile, dirs: readonly string[]): Map<number, string> {
  const names = new Map<number, string>(Object.entries(BUILT_IN[file]).map(([k, v]) => [Number(k), v]));
  for (const dir of dirs) {
    const files = [`${dir}/${file}`];
    try {
      files.push(
        ...readdirSync(`${dir}/${file}.d`)
          .filter((f) => f.endsWith('.conf'))
          .sort()
          .map((f) => `${dir}/${file}.d/${f}`),
      );
    } catch {
      /* no such folder */
    }
    for (const f of files) {
      let text = '';
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        const m = /^\s*(0x[0-9a-f]+|\d+)\s+([^\s#]+)/i.exec(line);
        if (m) names.set(Number(m[1]), m[2]!);
      }
    }
  }
  return names;
}

/** The name iproute2 prints for `n` in `file`, else `fallback(n)` (the number as ip prints it). */
export function ipName(file: NameFile, n: number, fallback: (n: number) => string = String, dirs: readonly string[] = DIRS): string {
  // The reserved numbers need no file read (a route lookup asks for 'main' on every walk).
  const builtIn = BUILT_IN[file][n];
  if (builtIn !== undefined && dirs === DIRS) return builtIn;
  let names = dirs === DIRS ? cache.get(file) : undefined;
  if (!names) {
    names = load(file, dirs);
    if (dirs === DIRS) cache.set(file, names);
  }
  return names.get(n) ?? fallback(n);
}
