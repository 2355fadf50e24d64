/**
 * Every fix command must change something on this host. `noopFixes` reads the `ip` commands of a
 * finding's fixes against what the observations and the snapshot say the host already has, and
 * names each command that would change nothing (replace a route with itself, set a link that is
 * up to up) or fail (add a route that exists, delete a route or policy rule that does not). The
 * rule tests run it over every finding their fixtures produce (fixtures.ts `run`).
 * Pure; only judges what the state shows: a route table it has not seen is never a reason.
 */
import ipaddr from 'ipaddr.js';
import type { Finding } from '../model/report.js';
import { ofKind } from '../model/observation.js';
import type { RuleContext } from './types.js';

interface KnownRoute {
  family: 4 | 6;
  table: string;
  prefix: string;
  gateway: string | null;
  dev: string | null;
  metric: number;
}

const isDefault = (p: string): boolean => p === 'default' || p === '0.0.0.0/0' || p === '::/0';

function normPrefix(p: string, family: 4 | 6): string {
  if (isDefault(p)) return 'default';
  const [a, len] = p.split('/');
  try {
    const addr = ipaddr.parse(a!);
    return `${addr.toNormalizedString()}/${len ?? (family === 6 ? '128' : '32')}`;
  } catch {
    return p;
  }
}

const sameAddr = (a: string | null, b: string | null): boolean => {
  if (a === null || b === null) return a === b;
  try {
    return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
  } catch {
    return a === b;
  }
};

function covers(prefix: string, addr: string): boolean {
  try {
    const a = ipaddr.parse(addr);
    if (isDefault(prefix)) return true;
    const [net, bits] = ipaddr.parseCIDR(prefix.includes('/') ? prefix : `${prefix}/${a.kind() === 'ipv6' ? 128 : 32}`);
    return a.kind() === net.kind() && a.match(net, bits);
  } catch {
    return false;
  }
}

/** Parsed `ip [-4|-6] route add|replace|del …`. */
function parseRouteCmd(words: string[], family: 4 | 6): { verb: string; route: Partial<KnownRoute> & { prefix: string; table: string } } | null {
  const verb = words[0];
  if (!verb || !['add', 'replace', 'del', 'delete'].includes(verb)) return null;
  const rest = words.slice(1);
  let prefix: string | null = null;
  let gateway: string | null | undefined;
  let dev: string | null | undefined;
  let metric: number | undefined;
  let table = 'main';
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const next = rest[i + 1];
    if (w === 'via' && next) {
      gateway = next;
      i++;
    } else if (w === 'dev' && next) {
      dev = next;
      i++;
    } else if ((w === 'metric' || w === 'priority' || w === 'preference') && next) {
      metric = Number(next);
      i++;
    } else if (w === 'table' && next) {
      table = next;
      i++;
    } else if (['proto', 'scope', 'src', 'onlink', 'mtu', 'advmss', 'realm', 'type'].includes(w)) {
      if (w !== 'onlink') i++;
    } else if (prefix === null && !['unicast', 'blackhole', 'unreachable', 'prohibit'].includes(w)) prefix = w;
  }
  if (!prefix) return null;
  const route: Partial<KnownRoute> & { prefix: string; table: string } = { prefix: normPrefix(prefix, family), table };
  if (gateway !== undefined) route.gateway = gateway;
  if (dev !== undefined) route.dev = dev;
  if (metric !== undefined) route.metric = metric;
  return { verb: verb === 'delete' ? 'del' : verb, route };
}

/**
 * The fix commands of `f` that would do nothing (or fail) on the host `ctx` describes, each with
 * the reason. Empty when every command changes something, or when the state is not known.
 */
export function noopFixes(f: Finding, ctx: Pick<RuleContext, 'observations' | 'snapshot'>): string[] {
  const lookups = ofKind(ctx.observations, 'route.lookup');
  const snapRoutes = ctx.snapshot?.routes.ok ? ctx.snapshot.routes.value : null;
  const known: KnownRoute[] = [
    ...lookups.flatMap((l) =>
      l.data.candidates.map((c) => ({ family: l.data.family, table: c.table, prefix: normPrefix(c.prefix, l.data.family), gateway: c.gateway, dev: c.dev, metric: c.metric ?? 0 })),
    ),
    ...(snapRoutes ?? []).map((r) => ({ family: r.family, table: r.table, prefix: normPrefix(r.dst, r.family), gateway: r.gateway, dev: r.dev, metric: r.metric ?? 0 })),
  ];
  const ruleSets = [...lookups.filter((l) => l.data.rules.length > 0).map((l) => ({ family: l.data.family, prios: new Set(l.data.rules.map((r) => r.priority)) }))];
  if (ctx.snapshot?.rules.ok) for (const fam of [4, 6] as const) ruleSets.push({ family: fam, prios: new Set(ctx.snapshot.rules.value.filter((r) => r.family === fam).map((r) => r.priority)) });
  const links = [
    ...ofKind(ctx.observations, 'host.links').flatMap((l) => l.data.links.map((x) => ({ name: x.name, up: x.up, mtu: x.mtu }))),
    ...(ctx.snapshot?.links.ok ? ctx.snapshot.links.value.map((x) => ({ name: x.name, up: x.up, mtu: x.mtu })) : []),
  ];
  const out: string[] = [];
  for (const cmd of f.fix.flatMap((x) => (x.command ? [x.command] : []))) {
    // One command per fix line; `a && b` chains are judged by their first `ip` command.
    const words = cmd.split('&&')[0]!.trim().split(/\s+/);
    if (words[0] !== 'ip') continue;
    let i = 1;
    let family: 4 | 6 = 4;
    let famGiven = false;
    while (words[i]?.startsWith('-')) {
      if (words[i] === '-6' || words[i] === '-4') {
        family = words[i] === '-6' ? 6 : 4;
        famGiven = true;
      }
      i++;
    }
    const object = words[i];
    const args = words.slice(i + 1);
    if (object === 'route' || object === 'r' || object === 'ro') {
      const p = parseRouteCmd(args, family);
      if (!p) continue;
      const fam: 4 | 6 = famGiven ? family : p.route.prefix.includes(':') || (p.route.gateway ?? '').includes(':') ? 6 : family;
      const same = known.filter((k) => k.family === fam && k.table === p.route.table && k.prefix === normPrefix(p.route.prefix, fam));
      const withMetric = same.filter((k) => k.metric === (p.route.metric ?? 0));
      const exact = (k: KnownRoute): boolean => (p.route.gateway === undefined || sameAddr(k.gateway, p.route.gateway)) && (p.route.dev === undefined || k.dev === p.route.dev);
      if (p.verb === 'replace' && withMetric.some(exact)) out.push(`${cmd}: the route already exists exactly so (replacing it with itself changes nothing)`);
      if (p.verb === 'add' && withMetric.some(exact)) out.push(`${cmd}: the route already exists (add fails: File exists)`);
      else if (p.verb === 'add' && fam === 4 && withMetric.length > 0)
        out.push(`${cmd}: a route for ${p.route.prefix} with that metric exists in table ${p.route.table} (add fails: File exists; replace it)`);
      if (p.verb === 'del') {
        // Only when the state shows every route that could match: the snapshot, or the candidates of a lookup inside the prefix.
        const complete = snapRoutes !== null || lookups.some((l) => l.data.family === fam && covers(p.route.prefix, l.data.destination));
        const match = same.filter((k) => exact(k) && (p.route.metric === undefined || k.metric === p.route.metric));
        if (complete && match.length === 0) out.push(`${cmd}: no such route in table ${p.route.table} (del fails: No such process)`);
      }
    } else if (object === 'rule' || object === 'ru') {
      const verb = args[0];
      const pi = args.findIndex((w) => w === 'priority' || w === 'pref' || w === 'preference');
      if ((verb === 'del' || verb === 'delete') && pi >= 0) {
        const prio = Number(args[pi + 1]);
        const sets = ruleSets.filter((s) => s.family === family);
        if (sets.length > 0 && !sets.some((s) => s.prios.has(prio))) out.push(`${cmd}: no policy rule has priority ${prio}`);
      }
    } else if (object === 'link' || object === 'l') {
      if (args[0] !== 'set') continue;
      const dev = args[1] === 'dev' ? args[2] : args[1];
      const link = links.find((l) => l.name === dev);
      if (!link) continue;
      if (args.includes('up') && link.up) out.push(`${cmd}: ${dev} is already up`);
      const mi = args.indexOf('mtu');
      if (mi >= 0 && link.mtu !== null && Number(args[mi + 1]) === link.mtu) out.push(`${cmd}: ${dev} already has MTU ${link.mtu}`);
    }
  }
  return out;
}
