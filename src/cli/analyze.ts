/**
 * Offline analyzers on the command line:
 *   netdx firewall check --proto tcp --dst IP --dport N [--src IP] [--chain OUTPUT|INPUT|FORWARD] [--snapshot FILE] [--json]
 *   netdx route explain DST [--from IP] [--mark M] [--iif DEV] [--oif DEV] [--snapshot FILE] [--json]
 *   netdx analyze SNAPSHOT --target T [--json]
 * Without --snapshot they read this machine's state (read-only; no packet is sent).
 */
import type { Command } from 'commander';
import { EXIT, usageError } from '../model/errors.js';
import { parseTarget, shown } from '../model/target.js';
import { detectLang } from '../report/i18n.js';
import { colorEnabled, renderText } from '../report/text.js';
import { renderFirewallText, renderRouteText } from '../report/analyze.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Snapshot } from '../model/snapshot.js';
import { checkFirewall, explainRoute, type FirewallCheck, type FirewallFlow, type RouteExplanation } from '../analyze/index.js';

export { renderFirewallText, renderRouteText };
import { parseAddr } from '../analyze/ip.js';
import { explainWith, prepareRoutes } from '../analyze/route-lookup.js';
import { RouteTable } from '../analyze/route-table.js';
import { readSnapshotFile } from '../analyze/snapshot-file.js';
import { parseDiagnoseOptions, parseLang, type RawDiagnoseOptions } from './diagnose-options.js';
import { exitCodeOf } from './diagnose.js';

async function loadSnapshot(file: string | undefined, parts: Array<'links' | 'routes' | 'rules' | 'firewall' | 'sysctls'>): Promise<Snapshot> {
  if (file !== undefined) return readSnapshotFile(file);
  const [{ collectSnapshot }, { routeNetlink }, { liveExec }] = await Promise.all([import('../system/collect.js'), import('../native/addon.js'), import('../diagnose/live-exec.js')]);
  return collectSnapshot({ netlink: routeNetlink(), exec: liveExec }, parts);
}

/** How a value is named in zh errors: options as they are, the positional destination as 目的地址. */
const whatZh = (what: string): string => (what === 'destination' ? '目的地址' : what);

function ip(text: string | undefined, what: string): string | undefined {
  if (text === undefined) return undefined;
  if (!parseAddr(text)) throw usageError({ en: `${what} '${shown(text)}': expected an IPv4 or IPv6 address`, zh: `${whatZh(what)} '${shown(text)}'：应为 IPv4 或 IPv6 地址` });
  return text;
}

function port(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw usageError({ en: `${what} '${shown(text)}': expected a port 0…65535`, zh: `${what} '${shown(text)}'：应为 0…65535 之间的端口` });
  return Number(text);
}

function mark(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(text) || Number(text) > 0xffffffff)
    throw usageError({ en: `--mark '${shown(text)}': expected a number (decimal or 0x hex) up to 0xffffffff`, zh: `--mark '${shown(text)}'：应为不超过 0xffffffff 的数字（十进制或 0x 十六进制）` });
  return Number(text);
}

function dev(text: string | undefined, what: string): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[A-Za-z0-9_.:@+-]{1,15}$/.test(text)) throw usageError({ en: `${what} '${shown(text)}': expected an interface name`, zh: `${what} '${shown(text)}'：应为网卡名` });
  return text;
}

export interface RawFirewallOptions {
  proto?: string;
  src?: string;
  dst?: string;
  sport?: string;
  dport?: string;
  chain?: string;
  iif?: string;
  oif?: string;
  state?: string;
  mark?: string;
  replies?: boolean;
  snapshot?: string;
  json?: boolean;
  lang?: string;
}

/** Validates `firewall check` options into a flow; one usage line per bad value. */
export function parseFirewallOptions(o: RawFirewallOptions): FirewallFlow {
  const proto = (o.proto ?? 'tcp').toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp' && proto !== 'icmpv6')
    throw usageError({ en: `--proto '${shown(proto)}': expected tcp, udp, icmp or icmpv6`, zh: `--proto '${shown(proto)}'：应为 tcp、udp、icmp 或 icmpv6` });
  if (o.dst === undefined) throw usageError({ en: '--dst is required (the destination address of the flow)', zh: '必须指定 --dst（流量的目的地址）' });
  const dst = ip(o.dst, '--dst')!;
  const src = ip(o.src, '--src');
  if (src !== undefined && parseAddr(src)!.family !== parseAddr(dst)!.family)
    throw usageError({ en: `--src ${src} and --dst ${dst} are of different address families`, zh: `--src ${src} 与 --dst ${dst} 的地址族不同` });
  const chain = (o.chain ?? 'OUTPUT').toUpperCase();
  if (chain !== 'OUTPUT' && chain !== 'INPUT' && chain !== 'FORWARD')
    throw usageError({ en: `--chain '${shown(chain)}': expected OUTPUT, INPUT or FORWARD`, zh: `--chain '${shown(chain)}'：应为 OUTPUT、INPUT 或 FORWARD` });
  const state = o.state === undefined ? undefined : o.state.toUpperCase();
  if (state !== undefined && state !== 'NEW' && state !== 'ESTABLISHED')
    throw usageError({ en: `--state '${shown(state)}': expected NEW or ESTABLISHED`, zh: `--state '${shown(state)}'：应为 NEW 或 ESTABLISHED` });
  const dport = port(o.dport, '--dport');
  if ((proto === 'tcp' || proto === 'udp') && dport === undefined) throw usageError({ en: `--dport is required for ${proto}`, zh: `${proto} 必须指定 --dport` });
  const flow: FirewallFlow = { chain, proto, src: src ?? null, dst, dport: proto === 'tcp' || proto === 'udp' ? dport! : null };
  const sport = port(o.sport, '--sport');
  if (sport !== undefined) flow.sport = sport;
  const iif = dev(o.iif, '--iif');
  if (iif !== undefined) flow.iif = iif;
  const oif = dev(o.oif, '--oif');
  if (oif !== undefined) flow.oif = oif;
  if (state !== undefined) flow.state = state;
  const m = mark(o.mark);
  if (m !== undefined) flow.mark = m;
  if (o.replies === false) flow.replies = false;
  return flow;
}

export function firewallJson(c: FirewallCheck): Record<string, unknown> {
  const d = c.verdict === 'ACCEPT' ? c.accepted : c.decided;
  return {
    verdict: c.verdict,
    trace: c.trace,
    ...(c.rejectWith !== undefined ? { rejectWith: c.rejectWith } : {}),
    direction: c.direction,
    rule: d
      ? {
          backend: d.backend,
          family: d.family,
          table: d.table,
          chain: d.chain,
          number: d.rule,
          ...(d.handle !== undefined ? { handle: d.handle } : {}),
          ...(d.line !== undefined ? { line: d.line } : {}),
          text: d.text,
        }
      : null,
    reason: c.reason,
    ...(c.likely ? { likely: c.likely } : {}),
    probabilistic: c.probabilistic,
    unknown: c.unknown,
    nat: c.nat,
    flow: c.flow,
    problems: c.problems,
    missing: c.missing,
  };
}

export interface RawRouteOptions {
  from?: string;
  mark?: string;
  iif?: string;
  oif?: string;
  snapshot?: string;
  json?: boolean;
  lang?: string;
}

export function routeJson(dst: string, e: RouteExplanation, kernel?: unknown): Record<string, unknown> {
  const r = e.route;
  return {
    destination: dst,
    outcome: e.outcome,
    route: r
      ? { prefix: r.dst, table: r.table, type: r.type, gateway: e.gateway, dev: e.dev, src: e.src, metric: r.metric, protocol: r.protocol, scope: r.scope, nexthops: r.nexthops, text: r.text }
      : e.outcome === 'route'
        ? {
            prefix: null,
            table: null,
            type: 'unicast',
            gateway: null,
            dev: e.dev,
            src: e.src,
            metric: null,
            protocol: null,
            scope: 'link',
            nexthops: [],
            text: `${dst} dev ${e.dev} (assumed on-link)`,
          }
        : null,
    gateway: e.gateway,
    dev: e.dev,
    table: e.table,
    candidates: e.candidates,
    rules: e.rules,
    steps: e.steps,
    why: e.why,
    ...(kernel !== undefined ? { kernel } : {}),
  };
}

/** The kernel's own answer (live mode only) and whether the analysis agrees with it. */
async function kernelAnswer(dst: string, q: { from?: string; mark?: number; iif?: string }, e: RouteExplanation): Promise<{ text: string; agrees: boolean | null; json: unknown }> {
  const [{ routeGet }, { routeNetlink }] = await Promise.all([import('../system/collect.js'), import('../native/addon.js')]);
  // The kernel asked in-process (rtnetlink), as a diagnosis asks it; `ip route get` where the addon cannot.
  const r = await routeGet(dst, { ...(q.from ? { from: q.from } : {}), ...(q.mark !== undefined ? { mark: String(q.mark) } : {}), ...(q.iif ? { iif: q.iif } : {}), netlink: routeNetlink() });
  if (!r.ok) {
    const agrees = r.kind === 'error' ? null : r.kind === e.outcome;
    return { text: `${r.error} (${r.kind})`, agrees, json: { ok: false, kind: r.kind, error: r.error } };
  }
  const v = r.value;
  const hops = e.nexthops.length > 1 ? e.nexthops : [{ gateway: e.gateway, dev: e.dev }];
  const agrees = e.outcome === 'route' && hops.some((h) => (h.gateway ?? null) === (v.gateway ?? null) && (h.dev === v.dev || (v.type === 'local' && e.dev === 'lo')));
  return { text: v.text, agrees, json: { ok: true, ...v } };
}

export function register(program: Command): void {
  const fw = program.command('firewall').description('evaluate the local firewall (iptables, ip6tables, nftables) for a flow, offline');
  fw.command('check')
    .description('which rule in which chain decides a flow: the verdict and the trace of every rule visited (exit 0 ACCEPT, 2 DROP/REJECT, 1 UNKNOWN)')
    .option('--proto <proto>', 'tcp | udp | icmp | icmpv6 (default tcp)')
    .option('--src <ip>', 'source address (default: the one the kernel would pick for OUTPUT)')
    .option('--dst <ip>', 'destination address')
    .option('--sport <port>', 'source port')
    .option('--dport <port>', 'destination port (tcp, udp)')
    .option('--chain <chain>', 'OUTPUT (this machine sends) | INPUT (it receives) | FORWARD (it routes); default OUTPUT')
    .option('--iif <dev>', 'input interface (default: from the routes)')
    .option('--oif <dev>', 'output interface (default: from the routes)')
    .option('--state <state>', 'NEW (a first packet, default) | ESTABLISHED')
    .option('--mark <mark>', 'packet mark set by the socket (SO_MARK)')
    .option('--no-replies', 'do not also check the reply direction')
    .option('--snapshot <file>', 'evaluate a snapshot from `netdx collect` instead of this machine')
    .option('--json', 'print { verdict, trace, rule, reason, … } as JSON')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: RawFirewallOptions) => {
      const lang = parseLang(o.lang, detectLang());
      const flow = parseFirewallOptions(o);
      const snap = await loadSnapshot(o.snapshot, ['links', 'routes', 'rules', 'firewall']);
      const c = checkFirewall(snap, flow);
      process.stdout.write(o.json ? `${JSON.stringify(firewallJson(c), null, 2)}\n` : renderFirewallText(c, lang));
      process.exitCode = c.verdict === 'ACCEPT' ? EXIT.ok : c.verdict === 'UNKNOWN' ? EXIT.degraded : EXIT.fault;
    });

  const route = program.command('route').description("explain the kernel's route choice from the routing tables and policy rules, offline");
  route
    .command('explain')
    .description('which route and policy rule carry DST, what competed and why (exit 0 with a route, 2 without)')
    .argument('<dst>', 'destination address')
    .option('--from <ip>', 'source address (policy rules `from`)')
    .option('--mark <mark>', 'fwmark (policy rules `fwmark`)')
    .option('--iif <dev>', 'input interface: the lookup of a forwarded packet')
    .option('--oif <dev>', 'output interface the socket is bound to')
    .option('--snapshot <file>', 'explain a snapshot from `netdx collect` instead of this machine')
    .option('--json', 'print { route, candidates, rules, … } as JSON')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (dstText: string, o: RawRouteOptions) => {
      const lang = parseLang(o.lang, detectLang());
      const dst = ip(dstText, 'destination')!;
      const from = ip(o.from, '--from');
      if (from !== undefined && parseAddr(from)!.family !== parseAddr(dst)!.family)
        throw usageError({ en: `--from ${from} and ${dst} are of different address families`, zh: `--from ${from} 与 ${dst} 的地址族不同` });
      const q = {
        ...(from ? { from } : {}),
        ...(o.mark !== undefined ? { mark: mark(o.mark)! } : {}),
        ...(o.iif ? { iif: dev(o.iif, '--iif')! } : {}),
        ...(o.oif ? { oif: dev(o.oif, '--oif')! } : {}),
      };
      let e: RouteExplanation;
      if (o.snapshot !== undefined) e = explainRoute(await readSnapshotFile(o.snapshot), dst, q);
      else {
        // this machine: the routes go straight from `ip -j route` into the table (a full BGP table
        // never becomes a million Route objects); rules, links and sysctls through the collectors
        const [{ collectSnapshot, execTool }, { parseRoutes }] = await Promise.all([import('../system/collect.js'), import('../system/parse/routes.js')]);
        const [snap, v4, v6] = await Promise.all([
          collectSnapshot({}, ['links', 'rules', 'sysctls']),
          execTool('ip', ['-4', '-j', 'route', 'show', 'table', 'all'], 20_000).then((r) => r.stdout),
          execTool('ip', ['-6', '-j', 'route', 'show', 'table', 'all'], 20_000).then(
            (r) => r.stdout,
            () => '[]',
          ),
        ]);
        const table = RouteTable.fromIpJson({ v4, v6 }, parseRoutes);
        e = explainWith(prepareRoutes(table, snap.rules.ok ? snap.rules.value : null), snap.links.ok ? snap.links.value : null, snap.sysctls.ok ? snap.sysctls.value : null, dst, q);
      }
      const kernel = o.snapshot === undefined && q.oif === undefined ? await kernelAnswer(dst, q, e) : undefined;
      process.stdout.write(o.json ? `${JSON.stringify(routeJson(dst, e, kernel?.json), null, 2)}\n` : renderRouteText(dst, e, lang, kernel));
      process.exitCode = e.outcome === 'route' ? EXIT.ok : EXIT.fault;
    });

  program
    .command('analyze')
    .description('judge a snapshot collected elsewhere (`netdx collect`): every check that needs no probe')
    .argument('<snapshot>', 'snapshot file (JSON from `netdx collect`; - for stdin)')
    .requiredOption('--target <target>', 'HOST, HOST:PORT or URL the machine failed to reach')
    .option('-p, --port <port>', 'service port')
    .option('--protocol <proto>', 'tcp | tls | http | https | icmp')
    .option('--expect-ip <ip>', 'the address the name should resolve to (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--expect-gateway <ip>', 'the gateway the route should use')
    .option('--tunnel <dev>', 'the tunnel interface that should carry the target (judged whatever the route says)')
    .option('--json', 'print the JSON report (netdx.report/v1)')
    .option('--format <fmt>', 'text | json | markdown')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (file: string, raw: RawDiagnoseOptions & { target: string }) => {
      const { options, target: topts, format } = parseDiagnoseOptions(raw, detectLang());
      const target = parseTarget(raw.target, topts);
      const snapshot = await readSnapshotFile(file);
      const { analyzeSnapshot } = await import('../diagnose/offline.js');
      const report = await analyzeSnapshot(snapshot, target, format === 'json' ? { ...options, lang: 'en' } : options);
      if (format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (format === 'markdown') process.stdout.write(`${renderMarkdown(report, options.lang)}\n`);
      else process.stdout.write(renderText(report, { lang: options.lang, color: colorEnabled(process.stdout) }));
      process.exitCode = exitCodeOf(report);
    });
}
