/**
 * The `tunnels` part of the Snapshot: WireGuard and OpenVPN state, plus every other
 * tun/tap/wireguard/overlay link that no collector claims (a virtual-LAN product's adapter).
 * Call `collectTunnels({ links })` with the snapshot's links (or let it read `ip -j -d addr`).
 */
import type { Collected, Link } from '../model/snapshot.js';
import type { TunnelState } from '../model/tunnel.js';
import { DEFAULT_TIMEOUT_MS, defaultExec, execProblem, type ExecFn } from './exec.js';
import { collectWireGuard, wgDump } from './tunnel-wg.js';
import { collectOpenVpn, type ManagementFn } from './tunnel-openvpn.js';
import { parseLinks } from './parse/links.js';
import { linkTunnel, TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';
import { ParseError } from '../model/errors.js';

export type { TunnelState } from '../model/tunnel.js';

export { TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';

export interface TunnelCollectOptions {
  exec?: ExecFn;
  /** Prefix for /etc and /proc (tests); '/' by default. */
  root?: string;
  timeoutMs?: number;
  /** The snapshot's links; read with `ip -j -d addr` when not given (or when they were unavailable). */
  links?: Collected<Link[]> | Link[] | Promise<Collected<Link[]>>;
  management?: ManagementFn;
}

async function readLinks(exec: ExecFn, timeoutMs: number): Promise<{ links: Link[] | null; problem: string | null }> {
  const r = await exec('ip', ['-j', '-d', 'addr'], { timeoutMs });
  const problem = execProblem('ip', r, timeoutMs);
  if (problem) return { links: null, problem };
  try {
    return { links: parseLinks(r.stdout), problem: null };
  } catch (err) {
    if (err instanceof ParseError) return { links: null, problem: err.message };
    throw err;
  }
}

export async function collectTunnels(opts: TunnelCollectOptions = {}): Promise<Collected<TunnelState[]>> {
  const exec = opts.exec ?? defaultExec;
  const root = opts.root ?? '/';
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The dump does not need the links: it starts now, beside them (in the snapshot's batch).
  const dump = wgDump({ exec, timeoutMs });
  const linksIn = await opts.links;
  const given = Array.isArray(linksIn) ? linksIn : linksIn?.ok ? linksIn.value : null;
  const { links, problem: linkProblem } = given ? { links: given, problem: null } : await readLinks(exec, timeoutMs);
  const [wg, ovpn] = await Promise.all([
    collectWireGuard({ exec, root, timeoutMs }, links, dump),
    collectOpenVpn({ root, timeoutMs, ...(opts.management ? { management: opts.management } : {}) }, links),
  ]);
  const tunnels: TunnelState[] = [...wg.tunnels];
  // An OpenVPN tunnel that is only configured does not hide a running one on the same device.
  for (const t of ovpn.tunnels) if (!(t.source === 'config' && tunnels.some((x) => x.dev === t.dev))) tunnels.push(t);
  const claimed = new Set(tunnels.filter((t) => t.link).map((t) => t.dev));
  for (const l of links ?? []) {
    if (!l.kind || !TUNNEL_LINK_KINDS.has(l.kind) || claimed.has(l.name)) continue;
    tunnels.push(linkTunnel(l, l.kind === 'wireguard' ? wg.problems.filter((p) => p.startsWith('wg')) : []));
  }
  const problems = [...(linkProblem ? [`links: ${linkProblem}`] : []), ...wg.problems, ...ovpn.problems];
  if (tunnels.length === 0 && problems.length > 0) return { ok: false, unavailable: problems.join('; ') };
  if (problems.length > 0) for (const t of tunnels) t.problems = [...new Set([...t.problems, ...problems.filter((p) => (t.kind === 'wireguard' ? p.startsWith('wg') : !p.startsWith('wg')))])];
  return { ok: true, value: tunnels };
}
