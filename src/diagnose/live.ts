/** The real world behind EngineDeps: collectors, probes and analyzers. */
import { batchedExec } from '../system/exec.js';
import { readFile, stat } from 'node:fs/promises';
import { collectListening, collectSnapshot, collectStaged, DIAGNOSE_PARTS } from '../system/collect.js';
import { parseResolvConf } from '../system/parse/resolv.js';
import { run as dnsQuery, systemLookup } from '../probes/dns.js';
import { run as routeLookup } from '../probes/route.js';
import { run as gateway } from '../probes/gateway.js';
import { run as icmp } from '../probes/icmp.js';
import { run as tcp } from '../probes/tcp.js';
import { run as tls } from '../probes/tls.js';
import { run as tlsVersions } from '../probes/tls-versions.js';
import { run as http } from '../probes/http.js';
import { run as proxyConnect } from '../probes/proxy.js';
import { run as trace } from '../probes/trace.js';
import { run as spread } from '../probes/spread.js';
import { run as pmtu } from '../probes/pmtu.js';
import { run as idle } from '../probes/idle.js';
import { run as backlog } from '../probes/backlog.js';
import { run as heartbeat } from '../probes/heartbeat.js';
import { run as responder } from '../probes/responder.js';
import * as analyze from '../analyze/index.js';
import type { EngineDeps } from './engine.js';
import { execTool } from '../system/collect.js';
import { liveTunnelProbes } from './tunnel-live.js';

/** The firewall rule evaluator of src/analyze, when the build has it. */
function firewallEvaluator(): Pick<EngineDeps, 'firewallVerdict'> {
  const f = (analyze as Record<string, unknown>).firewallVerdict;
  return typeof f === 'function' ? { firewallVerdict: f as NonNullable<EngineDeps['firewallVerdict']> } : {};
}

/** iptables-save -c / ip6tables-save -c now (for the counter diff), null when unavailable. */
async function firewallCounters(): Promise<{ v4: string | null; v6: string | null }> {
  const get = async (tool: string): Promise<string | null> => {
    try {
      return (await execTool(tool, ['-c'], 1500)).stdout;
    } catch {
      return null;
    }
  };
  const [v4, v6] = await Promise.all([get('iptables-save'), get('ip6tables-save')]);
  return { v4, v6 };
}

export function liveDeps(): EngineDeps {
  return {
    // No `ss` and no timedatectl up front: the listening sockets come only when a connect is refused.
    snapshot: () => collectSnapshot({ ntp: false }, DIAGNOSE_PARTS),
    stagedSnapshot: () => collectStaged({ ntp: false }, DIAGNOSE_PARTS),
    listening: () => collectListening(),
    nameservers: async () => {
      try {
        return parseResolvConf(await readFile('/etc/resolv.conf', 'utf8')).nameservers;
      } catch {
        return null;
      }
    },
    systemLookup,
    dnsQuery,
    // Through the batching exec: the walk's first lookup shares a shell with the snapshot's first commands.
    routeLookup: (d, ctx) => routeLookup(d, ctx, batchedExec),
    gateway,
    icmp,
    tcp,
    tls: (q, ctx) => tls({ address: q.address, port: q.port, sni: q.sni, hostname: q.hostname, options: q.options, ...(q.handshakeMs !== undefined ? { handshakeMs: q.handshakeMs } : {}) }, ctx),
    tlsVersions,
    http,
    proxyConnect,
    trace: (q, ctx) => trace({ address: q.address, proto: q.proto, port: q.port, count: q.count, intervalMs: 50, ...(q.flows ? { flows: q.flows } : {}) }, ctx),
    spread: (q, ctx) => spread(q, ctx),
    pmtu: (q, ctx) => pmtu({ address: q.address, port: q.port, ...(q.quick ? { quick: true } : {}), ...(q.dev ? { dev: q.dev } : {}) }, ctx),
    idle,
    backlog,
    heartbeat,
    responder,
    explainRoute: (s, dst, opts) => {
      const e = analyze.explainRoute(s, dst, opts?.mark ? { mark: opts.mark } : {});
      return { candidates: e.candidates, rules: e.rules };
    },
    ...firewallEvaluator(),
    firewallCounters: () => firewallCounters(),
    tunnelProbes: liveTunnelProbes(),
    now: () => new Date(),
  };
}

/**
 * A cheap token of the state a snapshot reads (the kernel's route tables, resolv.conf, hosts,
 * nsswitch.conf): a SnapshotCache collects again when it changes. About a millisecond.
 */
export async function liveFingerprint(): Promise<string> {
  const text = (p: string) => readFile(p, 'utf8').catch(() => '');
  const mtime = (p: string) =>
    stat(p).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => '-',
    );
  const parts = await Promise.all([text('/proc/net/route'), text('/proc/net/ipv6_route'), mtime('/etc/resolv.conf'), mtime('/etc/hosts'), mtime('/etc/nsswitch.conf')]);
  return parts.join('\n');
}
