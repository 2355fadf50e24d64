/**
 * `ip -j route get` → RouteGetResult, and the kernel's refusals → a kind.
 *
 * What the kernel answers (iproute2 6.1, Linux 6.x, recorded in test/fixtures/system/lab-route-get-*.json):
 *   blackhole route or rule   → "RTNETLINK answers: Invalid argument"   (EINVAL)
 *   unreachable route         → "RTNETLINK answers: No route to host"   (EHOSTUNREACH)
 *   prohibit route or rule    → "RTNETLINK answers: Permission denied"  (EACCES)
 *   no route, throw, and an unreachable *rule* → "RTNETLINK answers: Network is unreachable" (ENETUNREACH)
 *   with `iif` and forwarding off, a non-local destination → "No route to host" as well.
 */
import { ParseError } from '../../model/errors.js';
import type { RouteGetErrorKind, RouteGetResult } from '../../model/snapshot.js';
import { asArray, asObject, Fields, parseJson } from './json.js';
import { ipFamily } from '../../model/prefix.js';

export function parseRouteGet(json: string): RouteGetResult {
  const input = 'ip -j route get';
  const list = asArray(input, parseJson(input, json), 'the output');
  if (list.length === 0) throw new ParseError(input, 'expected one route, got an empty list');
  const f = new Fields(input, asObject(input, list[0], 'route'), 'route');
  const dst = f.str('dst');
  const family = ipFamily(dst);
  if (family === null) throw new ParseError(input, `route: expected "dst" to be an IP address, got "${dst.slice(0, 60)}"`);
  let gateway = f.optStr('gateway');
  let viaFamily: string | null = null;
  const via = f.optObject('via');
  if (gateway === null && via) {
    const v = new Fields(input, via, 'route via');
    gateway = v.str('host');
    viaFamily = v.optStr('family');
  }
  if (gateway !== null && ipFamily(gateway) === null) throw new ParseError(input, `route: expected "gateway" to be an IP address, got "${gateway.slice(0, 60)}"`);
  const r: RouteGetResult = {
    family,
    type: f.optStr('type') ?? 'unicast',
    dst,
    from: f.optStr('from'),
    gateway,
    dev: f.optStr('dev'),
    src: f.optStr('prefsrc'),
    table: f.optStrOrNum('table') ?? 'main',
    protocol: f.optStrOrNum('protocol'),
    metric: f.optNum('metric'),
    mark: f.optNum('mark'),
    iif: f.optStr('iif'),
    flags: f.strArray('flags'),
    cache: f.strArray('cache'),
    text: '',
  };
  r.text = routeGetText(r, viaFamily);
  return r;
}

/** One line as `ip route get` prints it (without the cache line); `viaFamily` names a gateway of the other family ('inet6'). */
export function routeGetText(r: Omit<RouteGetResult, 'text'>, viaFamily: string | null): string {
  const t: string[] = [];
  if (r.type !== 'unicast') t.push(r.type);
  t.push(r.dst);
  if (r.from !== null) t.push('from', r.from);
  if (r.gateway !== null) t.push('via', ...(viaFamily ? [viaFamily] : []), r.gateway);
  if (r.dev !== null) t.push('dev', r.dev);
  if (r.table !== 'main') t.push('table', r.table);
  if (r.protocol !== null) t.push('proto', r.protocol);
  if (r.src !== null) t.push('src', r.src);
  if (r.metric !== null) t.push('metric', String(r.metric));
  t.push(...r.flags);
  if (r.mark !== null) t.push('mark', `0x${r.mark.toString(16)}`);
  if (r.iif !== null) t.push('iif', r.iif);
  return t.join(' ');
}

/** The kernel's reason from ip's stderr ("RTNETLINK answers: No route to host" → "No route to host"). */
export function routeGetErrorText(stderr: string): string {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.replace(/^RTNETLINK answers:\s*/, '').replace(/^Error:\s*/, '') || 'ip route get failed';
}

/**
 * Maps the kernel's error to a kind. `unreachableRuleMatched` says whether an `unreachable` policy
 * rule covers the query (ENETUNREACH then means that rule, not a missing route); `withIif` marks an
 * input-route query, where "No route to host" also means "forwarding is off".
 */
export function classifyRouteGetError(
  stderr: string,
  ctx: { unreachableRuleMatched?: boolean; unreachableRouteMatched?: boolean; withIif?: boolean } = {},
): { error: string; kind: RouteGetErrorKind } {
  const error = routeGetErrorText(stderr);
  const e = error.toLowerCase();
  let kind: RouteGetErrorKind = 'error';
  if (e.includes('network is unreachable')) kind = ctx.unreachableRuleMatched ? 'unreachable' : 'no-route';
  else if (e.includes('no route to host')) {
    if (!ctx.withIif || ctx.unreachableRouteMatched) kind = 'unreachable';
    else return { error: `${error} (as input from that interface: forwarding is off, or the source is not valid there)`, kind: 'error' };
  } else if (e.includes('permission denied')) kind = 'prohibit';
  else if (e.includes('invalid argument')) kind = 'blackhole';
  return { error, kind };
}
