/**
 * What firewall matches need to know about the machine, from the Snapshot: address types
 * (addrtype / fib), local addresses, route lookups after NAT, device addresses (MASQUERADE).
 */
import type { Snapshot } from '../../model/snapshot.js';
import { isMulticast, parseAddr, type Addr } from '../ip.js';
import { lookupRoute, prepareRoutes, type PreparedRoutes } from '../route-lookup.js';
import type { Env } from './types.js';

const cache = new WeakMap<object, Env>();

/** The environment of one snapshot (cached per snapshot). */
export function envOf(s: Snapshot): Env {
  const key = s as object;
  let env = cache.get(key);
  if (!env) {
    env = makeEnv(s);
    cache.set(key, env);
  }
  return env;
}

function makeEnv(s: Snapshot): Env {
  const routesKnown = s.routes?.ok === true;
  const prepared: PreparedRoutes = prepareRoutes(s.routes?.ok ? s.routes.value : [], s.rules?.ok ? s.rules.value : null);
  const links = s.links?.ok ? s.links.value : [];
  const localType = (a: Addr): { type: string; dev: string | null } | null => {
    const t = prepared.table;
    const tid = t.tableNames.peek('local');
    const i = tid >= 0 ? t.fam(a.family).best(tid, a.w, null) : -1;
    return i >= 0 ? { type: t.typeOf(a.family, i).toUpperCase(), dev: t.devNames.names[t.fam(a.family).dev[i]!] || null } : null;
  };
  const isLocal = (a: Addr): boolean => {
    const lt = localType(a);
    if (lt) return lt.type === 'LOCAL';
    return links.some((l) => l.addresses.some((x) => parseAddr(x.address)?.w.join() === a.w.join()));
  };
  return {
    isLocal,
    addrType(a, dev) {
      if (!routesKnown && links.length === 0) return ['?'];
      if (a.family === 4) {
        const w = a.w[0]!;
        if (w === 0 || w === 0xffffffff) return ['BROADCAST'];
        if (isMulticast(a)) return ['MULTICAST'];
        const lt = localType(a);
        if (lt && (dev === null || lt.dev === dev)) return [lt.type];
        if (!routesKnown) return isLocal(a) ? ['LOCAL'] : ['?'];
        return ['UNICAST'];
      }
      // IPv6 (match_type6): MULTICAST/UNICAST by address class, LOCAL and UNREACHABLE by route
      const zero = a.w.every((x) => x === 0);
      const out: string[] = [zero ? 'UNSPEC' : isMulticast(a) ? 'MULTICAST' : 'UNICAST'];
      if (isLocal(a)) out.push('LOCAL');
      const r = lookupRoute(prepared, a);
      if (r && (r.outcome === 'blackhole' || r.outcome === 'unreachable' || r.outcome === 'prohibit')) out.push('UNREACHABLE', r.outcome.toUpperCase());
      return out;
    },
    routeDev(dst, mark) {
      if (isLocal(dst)) return 'lo';
      const r = lookupRoute(prepared, dst, mark !== null ? { mark } : {});
      if (!r || r.outcome !== 'route' || !r.route) return null;
      return r.route.dev ?? r.route.nexthops[0]?.dev ?? null;
    },
    devAddr(dev, family) {
      const l = links.find((x) => x.name === dev);
      const a = l?.addresses.find((x) => x.family === family && x.scope === 'global') ?? l?.addresses.find((x) => x.family === family);
      return a ? parseAddr(a.address) : null;
    },
  };
}
