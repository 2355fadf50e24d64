/**
 * routeGet: the kernel's own answer to "which route would carry a packet to DST"
 * (`ip -j route get`), with its refusals mapped to a kind (see parse/route-get.ts for the table).
 */
import type { PolicyRule, RouteGetErrorKind, RouteGetResult } from '../model/snapshot.js';
import { defaultExec, execProblem, type ExecFn, type ExecOptions } from './exec.js';
import { classifyRouteGetError, parseRouteGet, routeGetText } from './parse/route-get.js';
import { decodeLink, decodeRouteGet, errnoText, linkRequest, routeGetRequest, type NetlinkFn } from './netlink.js';
import { constants as osConstants } from 'node:os';
import { parsePolicyRules } from './parse/rules.js';
import { parseRoutes } from './parse/routes.js';
import { ipFamily, prefixCovers } from '../model/prefix.js';
import { ParseError } from '../model/errors.js';

export interface RouteGetOptions {
  from?: string;
  /** fwmark, decimal or 0x-hex ('0x1'). */
  mark?: string;
  /** Input interface: look the route up as if the packet arrived there (needs `from`). */
  iif?: string;
  /** Test seam: how commands run. */
  exec?: ExecFn;
  /** The caller's deadline: every `ip` call stops when it aborts (a probe's budget). */
  signal?: AbortSignal;
  /** Per-command deadline (ms), 2000 by default. */
  timeoutMs?: number;
  /**
   * The kernel asked in-process (rtnetlink) instead of `ip route get`; the same answer without a
   * fork. When it cannot be used (no netlink socket, an answer it cannot read), `ip` answers.
   */
  netlink?: NetlinkFn | null;
}

export type RouteGetOutcome = { ok: true; value: RouteGetResult } | { ok: false; error: string; kind: RouteGetErrorKind };

const MARK = /^(0x[0-9a-f]{1,8}|\d{1,10})$/i;
const IFNAME = /^[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]{0,15}$/;

function invalid(error: string): RouteGetOutcome {
  return { ok: false, error, kind: 'error' };
}

/** Whether an `unreachable` policy rule's selectors all hold for this query (selectors we cannot judge: no). */
export function unreachableRuleMatches(rules: readonly PolicyRule[], dst: string, q: { from?: string; mark?: string; iif?: string }): boolean {
  return rules.some((r) => {
    if (r.action !== 'unreachable' || r.not || (r.other && r.other.length > 0) || r.oif !== null) return false;
    if (r.dst !== null && !prefixCovers(r.dst, dst)) return false;
    if (r.src !== null && (q.from === undefined || !prefixCovers(r.src, q.from))) return false;
    if (r.iif !== null && r.iif !== q.iif) return false;
    if (r.fwmark !== null) {
      if (q.mark === undefined) return false;
      const [v, m] = r.fwmark.split('/');
      const mask = m === undefined ? 0xffffffff : Number(m);
      if ((Number(q.mark) & mask) >>> 0 !== (Number(v) & mask) >>> 0) return false;
    }
    return true;
  });
}

export async function routeGet(dst: string, opts: RouteGetOptions = {}): Promise<RouteGetOutcome> {
  const run = opts.exec ?? defaultExec;
  const eo: ExecOptions = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) };
  const exec = (file: string, args: string[]) => run(file, args, eo);
  const family = ipFamily(dst);
  if (family === null) return invalid(`not an IP address: "${dst.slice(0, 80)}"`);
  const args = ['-j', `-${family}`, 'route', 'get', dst];
  if (opts.from !== undefined) {
    if (ipFamily(opts.from) !== family) return invalid(`source ${opts.from.slice(0, 80)} is not an IPv${family} address`);
    args.push('from', opts.from);
  }
  if (opts.mark !== undefined) {
    if (!MARK.test(opts.mark)) return invalid(`not a fwmark: "${opts.mark.slice(0, 80)}"`);
    args.push('mark', opts.mark);
  }
  if (opts.iif !== undefined) {
    if (!IFNAME.test(opts.iif)) return invalid(`not an interface name: "${opts.iif.slice(0, 80)}"`);
    args.push('iif', opts.iif);
  }
  const kernel = opts.netlink ? viaNetlink(opts.netlink, dst, opts) : null;
  if (kernel?.ok) return kernel;
  const r = kernel ? { stdout: '', stderr: kernel.stderr, code: 2, failure: null } : await exec('ip', args);
  if (r.failure !== null) return { ok: false, error: execProblem('ip', r, eo.timeoutMs) ?? 'ip failed', kind: 'error' };
  if (r.code === 0) {
    try {
      return { ok: true, value: parseRouteGet(r.stdout) };
    } catch (err) {
      if (err instanceof ParseError) return { ok: false, error: err.message, kind: 'error' };
      throw err;
    }
  }
  const stderr = r.stderr;
  const e = stderr.toLowerCase();
  const ctx: { unreachableRuleMatched?: boolean; unreachableRouteMatched?: boolean; withIif?: boolean } = { withIif: opts.iif !== undefined };
  // ENETUNREACH is also what an `unreachable` policy rule answers: look at the rules to tell.
  if (e.includes('network is unreachable') && !opts.signal?.aborted) {
    const rules = await exec('ip', ['-j', `-${family}`, 'rule']);
    if (rules.code === 0) {
      try {
        ctx.unreachableRuleMatched = unreachableRuleMatches(parsePolicyRules(rules.stdout, family), dst, opts);
      } catch {
        /* an unreadable rule list leaves the answer at "no route" */
      }
    }
  }
  // With iif, "No route to host" also means "not forwarded": only an unreachable route makes it 'unreachable'.
  if (e.includes('no route to host') && opts.iif !== undefined && !opts.signal?.aborted) {
    const routes = await exec('ip', ['-j', `-${family}`, 'route', 'show', 'table', 'all']);
    if (routes.code === 0) {
      try {
        ctx.unreachableRouteMatched = parseRoutes(routes.stdout, family).some((x) => x.type === 'unreachable' && prefixCovers(x.dst, dst));
      } catch {
        /* leave it unknown */
      }
    }
  }
  return { ok: false, ...classifyRouteGetError(stderr, ctx) };
}

let seq = 0;

/** The kernel's answer through rtnetlink, read as `ip -j route get` would print it; its refusal as ip's stderr; null when netlink cannot answer (then `ip` does). */
function viaNetlink(nl: NetlinkFn, dst: string, q: { from?: string; mark?: string; iif?: string }): { ok: true; value: RouteGetResult } | { ok: false; stderr: string } | null {
  try {
    let iifIndex: number | undefined;
    if (q.iif !== undefined) {
      const a = nl(linkRequest({ name: q.iif }, ++seq));
      if (typeof a === 'string') return null;
      const l = decodeLink(a);
      if (!l.ok) return { ok: false, stderr: `Cannot find device "${q.iif}"` };
      iifIndex = l.index;
    }
    const a = nl(
      routeGetRequest({ dst, ...(q.from !== undefined ? { from: q.from } : {}), ...(q.mark !== undefined ? { mark: Number(q.mark) } : {}), ...(iifIndex !== undefined ? { iifIndex } : {}) }, ++seq),
    );
    if (typeof a === 'string') return null;
    const r = decodeRouteGet(a);
    if (!r.ok) return { ok: false, stderr: `RTNETLINK answers: ${errnoText(r.errno, osConstants.errno)}` };
    const name = (index: number | null): string | null | undefined => {
      if (index === null) return null;
      const l = nl(linkRequest({ index }, ++seq));
      if (typeof l === 'string') return undefined;
      const d = decodeLink(l);
      return d.ok ? d.name : `if${index}`;
    };
    const dev = name(r.oif);
    const iif = name(r.iif);
    if (dev === undefined || iif === undefined) return null;
    const value = { ...r.route, dev, iif, text: '' };
    value.text = routeGetText(value, r.viaFamily);
    return { ok: true, value };
  } catch (err) {
    if (err instanceof ParseError) return null;
    throw err;
  }
}

/**
 * One interface as the kernel describes it: its kind (IFLA_INFO_KIND: 'wireguard', 'tun', 'vxlan' …;
 * null for a plain NIC) and MTU. Undefined when the kernel cannot be asked or names no such device
 * (the caller then reads the snapshot's links, or sysfs).
 */
export function deviceLink(nl: NetlinkFn, dev: string): { kind: string | null; mtu: number | null } | undefined {
  try {
    const a = nl(linkRequest({ name: dev }, 1));
    if (typeof a === 'string') return undefined;
    const l = decodeLink(a);
    return l.ok ? { kind: l.kind, mtu: l.mtu } : undefined;
  } catch (err) {
    if (err instanceof ParseError) return undefined;
    throw err;
  }
}
