/**
 * Findings of a capture: the flow analysis judged with the same fault codes (and the same rule
 * metas: code, slug, layer, severity, titles, fixes) as a live diagnosis, each with the packets
 * that show it as evidence. Pure: reads an Analyzer, returns Findings and the summary.
 */
import { X509Certificate } from 'node:crypto';
import type { Lang } from '../model/layer.js';
import type { Evidence, Finding, Fix } from '../model/report.js';
import { fill, type RuleMeta } from '../rules/types.js';
import { tr } from '../rules/helpers.js';
import { meta as TCP_001 } from '../rules/tcp-001-port-closed.js';
import { meta as TCP_002 } from '../rules/tcp-002-port-filtered.js';
import { meta as TCP_003 } from '../rules/tcp-003-port-rejected.js';
import { meta as TCP_004 } from '../rules/tcp-004-reset-after-connect.js';
import { meta as TCP_006, keepaliveBelow } from '../rules/tcp-006-idle-timeout.js';
import { meta as NET_002 } from '../rules/net-002-gateway-unreachable.js';
import { meta as NET_004 } from '../rules/net-004-route-conflict.js';
import { meta as NET_009 } from '../rules/net-009-pmtu-blackhole.js';
import { meta as DNS_002 } from '../rules/dns-002-nxdomain.js';
import { meta as DNS_003 } from '../rules/dns-003-resolver-error.js';
import { meta as DNS_005 } from '../rules/dns-005-answer-mismatch.js';
import { meta as TLS_001 } from '../rules/tls-001-cert-expired.js';
import { meta as TLS_002 } from '../rules/tls-002-cert-not-yet-valid.js';
import { meta as TLS_003 } from '../rules/tls-003-hostname-mismatch.js';
import { meta as TLS_004 } from '../rules/tls-004-untrusted-issuer.js';
import { meta as TLS_006 } from '../rules/tls-006-protocol-mismatch.js';
import { meta as TLS_007 } from '../rules/tls-007-client-cert-required.js';
import { meta as APP_001 } from '../rules/app-001-heartbeat-lost.js';
import { ALERTS } from '../probes/tls-records.js';
import { RCODES, QTYPES, tlsVersionName, type TlsEvent } from './app.js';
import { macText } from './decode.js';
import type { Analyzer, PacketRef, TcpFlow } from './flows.js';

export interface JudgeOptions {
  lang: Lang;
  /** --target: focus on this host (name or address) and port. */
  targetHost?: string | null;
  targetPort?: number | null;
  /** --expect-ip: the addresses the target name should resolve to. */
  expectIp?: string[];
}

/** A packet reference as the report carries it. */
export interface PacketEvidence {
  n: number;
  ts: string;
}

const iso = (us: number): string => (us > 0 && us / 1000 <= 8.64e15 ? new Date(us / 1000).toISOString() : '');
const isoMs = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : '?');
const refs = (list: readonly PacketRef[]): PacketEvidence[] => list.map((r) => ({ n: r.n, ts: iso(r.tsUs) }));
const nums = (list: readonly PacketRef[]): string => list.map((r) => `#${r.n}`).join(', ');
const secs = (us: number): string => String(Math.round(us / 1e5) / 10);
const hp = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

function ev(observation: string, summary: string, packets: PacketEvidence[], data?: Record<string, unknown>): Evidence {
  const e: Evidence & { packets?: PacketEvidence[] } = { observation, summary };
  if (data) e.data = data;
  e.packets = packets;
  return e;
}

/** A finding from a rule meta, in the capture's words. Fix templates whose placeholders the capture cannot fill are left out. */
function finding(meta: RuleMeta, lang: Lang, vars: Record<string, string | number>, evidence: Evidence[], title: string | null, explanation: string, fix?: Fix[]): Finding {
  const fixes: Fix[] =
    fix ??
    meta.fix.flatMap((t) => {
      const summary = fill(t.summary[lang], vars);
      if (/\{[a-zA-Z0-9_]+\}/.test(summary)) return [];
      if (!t.command) return [{ summary }];
      const command = fill(t.command, vars);
      return /\{[a-zA-Z0-9_]+\}/.test(command) ? [{ summary }] : [{ summary, command }];
    });
  return {
    code: meta.code,
    slug: meta.slug,
    layer: meta.layer,
    severity: meta.severity,
    title: title ?? fill(meta.title[lang], vars),
    explanation,
    evidence,
    fix: fixes,
  };
}

const ICMP4_UNREACH: Record<number, string> = {
  0: 'net-unreachable',
  1: 'host-unreachable',
  2: 'protocol-unreachable',
  3: 'port-unreachable',
  4: 'frag-needed',
  9: 'net-prohibited',
  10: 'host-prohibited',
  13: 'admin-prohibited',
};
const ICMP6_UNREACH: Record<number, string> = { 0: 'no-route', 1: 'admin-prohibited', 3: 'address-unreachable', 4: 'port-unreachable', 5: 'policy-failed', 6: 'reject-route' };

export function icmpName(v6: boolean, type: number, code: number): string {
  if (!v6) return type === 3 ? (ICMP4_UNREACH[code] ?? `unreachable code ${code}`) : type === 11 ? 'time-exceeded' : `type ${type} code ${code}`;
  return type === 1 ? (ICMP6_UNREACH[code] ?? `unreachable code ${code}`) : type === 2 ? 'packet-too-big' : type === 3 ? 'time-exceeded' : `type ${type} code ${code}`;
}

/** Does the flow concern the --target? */
function focus(f: TcpFlow, o: JudgeOptions, addrs: ReadonlySet<string>): boolean {
  if (o.targetPort != null && f.bport !== o.targetPort) return false;
  if (!o.targetHost) return true;
  if (addrs.has(f.addr(1)) || addrs.has(f.addr(0))) return true;
  // A name: also the connections whose ClientHello asks for it.
  const sni = f.d[0].tls?.events.find((e) => e.kind === 'clientHello')?.sni;
  return sni !== undefined && sameName(sni, o.targetHost);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const l = m.get(k);
    if (l) l.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** What every part of the judgement reads: the analysis, the options and the TCP flows in focus. */
interface Judging {
  a: Analyzer;
  o: JudgeOptions;
  lang: Lang;
  flows: TcpFlow[];
}

export function judge(a: Analyzer, o: JudgeOptions): Finding[] {
  const lang = o.lang;
  // The target's addresses: the literal, or what the capture's DNS answers said for the name.
  const addrs = new Set<string>();
  if (o.targetHost) {
    addrs.add(o.targetHost);
    for (const q of a.dns) if (sameName(q.qname, o.targetHost)) for (const x of q.answers) addrs.add(x);
  }
  const j: Judging = { a, o, lang, flows: a.tcp.filter((f) => focus(f, o, addrs)) };
  const heartbeatFlows = new Set<TcpFlow>();
  const out: Finding[] = [...tcpRejected(j), ...tcpSilent(j), ...tcpRefused(j), ...heartbeats(j, heartbeatFlows), ...resetOrIdle(j, heartbeatFlows)];
  out.push(...pmtuBlackhole(j), ...arpUnanswered(j), ...echoMisrouted(j), ...dnsFindings(j));
  // ── TLS: alerts, and the TLS ≤ 1.2 certificate chain ──
  for (const f of j.flows) out.push(...tlsFindings(f, o, lang));
  return dedupe(out);
}

/** TCP-003: SYNs answered by ICMP unreachable (judged before TCP-002: the answer explains the silence). */
function tcpRejected(j: Judging): Finding[] {
  const { lang, flows } = j;
  const out: Finding[] = [];
  const rejected = flows.filter((f) => f.synAcks === 0 && f.d[0].syn > 0 && f.icmp.some((h) => (h.v6 ? h.type === 1 : h.type === 3 && h.code !== 4)));
  for (const [, fs] of groupBy(rejected, (f) => hp(f.addr(1), f.bport))) {
    const f = fs[0]!;
    const h = f.icmp.find((x) => (x.v6 ? x.type === 1 : x.type === 3))!;
    const name = icmpName(h.v6, h.type, h.code);
    const vars = { address: f.addr(1), port: f.bport, from: h.from, icmp: name, iptables: f.ver === 6 ? 'ip6tables' : 'iptables' };
    const evid = [
      ev(
        'pcap.tcp',
        tr(
          lang,
          `SYN ${hp(f.addr(0), f.aport)} → ${hp(f.addr(1), f.bport)}: packets ${nums(f.d[0].synRefs)}`,
          `SYN ${hp(f.addr(0), f.aport)} → ${hp(f.addr(1), f.bport)}：报文 ${nums(f.d[0].synRefs)}`,
        ),
        refs(f.d[0].synRefs),
        { flows: fs.length, state: f.state },
      ),
      ev('pcap.icmp', tr(lang, `ICMP ${name} from ${h.from} quoting that SYN: packet #${h.n}`, `来自 ${h.from} 的 ICMP ${name}，引用了该 SYN：报文 #${h.n}`), [{ n: h.n, ts: iso(h.tsUs) }], {
        type: h.type,
        code: h.code,
        from: h.from,
      }),
    ];
    out.push(
      finding(
        TCP_003,
        lang,
        vars,
        evid,
        null,
        tr(
          lang,
          `${fs.length} connection attempt(s) to ${hp(f.addr(1), f.bport)} were answered by ICMP ${name} from ${h.from} instead of a SYN-ACK or RST: a firewall (or router) rejects them.`,
          `${fs.length} 次到 ${hp(f.addr(1), f.bport)} 的连接请求收到来自 ${h.from} 的 ICMP ${name}，而不是 SYN-ACK 或 RST：防火墙（或路由器）拒绝了它们。`,
        ),
      ),
    );
  }
  return out;
}

/** TCP-002: SYNs retransmitted, never answered. */
function tcpSilent(j: Judging): Finding[] {
  const { a, lang, flows } = j;
  const out: Finding[] = [];
  const silent = flows.filter((f) => f.state === 'S0' && f.icmp.length === 0);
  for (const [, fs] of groupBy(silent, (f) => hp(f.addr(1), f.bport))) {
    const syns = fs.reduce((n, f) => n + f.d[0].syn, 0);
    if (syns < 2) continue;
    const f = fs[0]!;
    const spanUs = Math.max(...fs.map((x) => x.lastUs)) - Math.min(...fs.map((x) => x.firstUs));
    const alive = a.tcp.some((x) => x.addr(1) === f.addr(1) && x.synAcks > 0) || (a.echo.get(f.addr(1))?.replies ?? 0) > 0;
    const vars = { address: f.addr(1), port: f.bport, ms: Math.round(spanUs / 1000), iptables: f.ver === 6 ? 'ip6tables' : 'iptables' };
    const all = fs.flatMap((x) => x.d[0].synRefs).slice(0, 8);
    out.push(
      finding(
        TCP_002,
        lang,
        vars,
        [
          ev(
            'pcap.tcp',
            tr(
              lang,
              `${syns} SYN(s) in ${fs.length} attempt(s) to ${hp(f.addr(1), f.bport)} over ${secs(spanUs)} s, no SYN-ACK, RST or ICMP error: packets ${nums(all)}`,
              `${fs.length} 次尝试共 ${syns} 个 SYN 发往 ${hp(f.addr(1), f.bport)}，历时 ${secs(spanUs)} 秒，没有 SYN-ACK、RST 或 ICMP 错误：报文 ${nums(all)}`,
            ),
            refs(all),
            { syns, attempts: fs.length },
          ),
        ],
        null,
        alive
          ? tr(
              lang,
              `The client sent the SYN to ${hp(f.addr(1), f.bport)} again and again and nothing came back, while the capture shows ${f.addr(1)} itself answering: a firewall drops the SYNs for this port.`,
              `客户端反复向 ${hp(f.addr(1), f.bport)} 发送 SYN，没有任何回应，而抓包显示 ${f.addr(1)} 本身有应答：防火墙丢弃了发往该端口的 SYN。`,
            )
          : tr(
              lang,
              `The client sent the SYN to ${hp(f.addr(1), f.bport)} again and again and nothing came back: no SYN-ACK, no RST, no ICMP error. A firewall dropping the port is the likely cause; the capture does not show whether ${f.addr(1)} itself is up.`,
              `客户端反复向 ${hp(f.addr(1), f.bport)} 发送 SYN，没有任何回应：没有 SYN-ACK、RST 或 ICMP 错误。最可能是防火墙丢弃了该端口的报文；抓包无法说明 ${f.addr(1)} 本身是否在线。`,
            ),
      ),
    );
  }
  return out;
}

/** TCP-001: RST to SYN. */
function tcpRefused(j: Judging): Finding[] {
  const { lang, flows } = j;
  const out: Finding[] = [];
  for (const [, fs] of groupBy(
    flows.filter((f) => f.state === 'REJ'),
    (f) => hp(f.addr(1), f.bport),
  )) {
    const f = fs[0]!;
    const rst = f.d[1].rstRefs;
    out.push(
      finding(
        TCP_001,
        lang,
        { address: f.addr(1), port: f.bport },
        [
          ev(
            'pcap.tcp',
            tr(
              lang,
              `SYN ${nums(f.d[0].synRefs)} answered by RST ${nums(rst)} from ${f.addr(1)} (${fs.length} attempt(s), Zeek state REJ)`,
              `SYN ${nums(f.d[0].synRefs)} 被 ${f.addr(1)} 以 RST ${nums(rst)} 回应（${fs.length} 次尝试，Zeek 状态 REJ）`,
            ),
            refs([...f.d[0].synRefs.slice(0, 2), ...rst.slice(0, 2)]),
            { attempts: fs.length },
          ),
        ],
        null,
        tr(
          lang,
          `${f.addr(1)} answers the SYN to port ${f.bport} with a RST: the host is up but nothing listens on that port (or a firewall rejects with tcp-reset).`,
          `${f.addr(1)} 用 RST 回应发往端口 ${f.bport} 的 SYN：主机在线，但该端口没有服务监听（或防火墙以 tcp-reset 拒绝）。`,
        ),
      ),
    );
  }
  return out;
}

/** APP-001: heartbeats that stop being answered; their flows go into `heartbeatFlows` (TCP-006 leaves them alone). */
function heartbeats(j: Judging, heartbeatFlows: Set<TcpFlow>): Finding[] {
  const { lang, flows } = j;
  const captureEndUs = j.a.lastUs;
  const out: Finding[] = [];
  for (const f of flows) {
    const hb = heartbeat(f, captureEndUs);
    if (!hb) continue;
    heartbeatFlows.add(f);
    const vars = { peer: hp(f.addr(1), f.bport), interval: secs(hb.intervalUs), timeout: '?', lost: hb.lost };
    out.push(
      finding(
        APP_001,
        lang,
        vars,
        [
          ev(
            'pcap.tcp',
            tr(
              lang,
              `${hb.answered} heartbeat(s) every ~${secs(hb.intervalUs)} s answered, then ${hb.lost} unanswered from packet #${hb.firstLostN}${hb.endNote ? `; ${hb.endNote}` : ''}`,
              `${hb.answered} 次心跳（约每 ${secs(hb.intervalUs)} 秒）有应答，之后从报文 #${hb.firstLostN} 起 ${hb.lost} 次无应答${hb.endNote ? `；${hb.endNote}` : ''}`,
            ),
            [{ n: hb.firstLostN, ts: iso(hb.firstLostUs) }],
            { interval: hb.intervalUs / 1e6, answered: hb.answered, lost: hb.lost },
          ),
        ],
        tr(lang, `Heartbeats to ${vars.peer} stop being answered (every ~${vars.interval} s, ${hb.lost} lost)`, `发往 ${vars.peer} 的心跳不再有应答（约每 ${vars.interval} 秒，${hb.lost} 次丢失）`),
        tr(
          lang,
          `The client sends a small message every ~${vars.interval} s on ${hp(f.addr(0), f.aport)} → ${vars.peer}; the peer answered ${hb.answered} of them, then stopped answering. The application's liveness check fails here, whatever the cause underneath (the transport findings, if any, say which).`,
          `客户端在 ${hp(f.addr(0), f.aport)} → ${vars.peer} 上约每 ${vars.interval} 秒发送一条小消息；对端应答了其中 ${hb.answered} 条，随后不再应答。应用层的存活检测在此失败（底层原因见传输层的发现，如有）。`,
        ),
      ),
    );
  }
  return out;
}

/** TCP-004: RST right after the handshake; TCP-006: a flow that dies after an idle gap. */
function resetOrIdle(j: Judging, heartbeatFlows: Set<TcpFlow>): Finding[] {
  const { lang, flows } = j;
  const out: Finding[] = [];
  for (const f of flows) {
    if (f.establishedN === 0 && f.synAcks === 0) continue;
    const est = f.establishedUs || f.synAckUs;
    if (f.firstRstDir === 1 && f.firstRstUs - est <= 1_000_000 && f.d[1].fin === 0 && f.d[1].payload === 0) {
      const ms = Math.round((f.firstRstUs - est) / 1000);
      out.push(
        finding(
          TCP_004,
          lang,
          { address: f.addr(1), port: f.bport, ms, event: 'RST' },
          [
            ev(
              'pcap.tcp',
              tr(
                lang,
                `handshake done at #${f.establishedN || f.synAckN}, RST from ${f.addr(1)} at #${f.firstRstN}, ${ms} ms later (Zeek state ${f.state})`,
                `握手于 #${f.establishedN || f.synAckN} 完成，${ms} 毫秒后 ${f.addr(1)} 在 #${f.firstRstN} 发送 RST（Zeek 状态 ${f.state}）`,
              ),
              [
                { n: f.establishedN || f.synAckN, ts: iso(est) },
                { n: f.firstRstN, ts: iso(f.firstRstUs) },
              ],
            ),
          ],
          null,
          tr(
            lang,
            `${hp(f.addr(1), f.bport)} completes the handshake and resets the connection ${ms} ms later without sending anything: the service (or a proxy/load balancer in front of it) accepts and immediately drops this client.`,
            `${hp(f.addr(1), f.bport)} 完成握手后 ${ms} 毫秒即重置连接，未发送任何数据：服务（或其前面的代理/负载均衡）接受连接后立即断开了该客户端。`,
          ),
        ),
      );
      continue;
    }
    if (heartbeatFlows.has(f)) continue;
    const idle = f.maxGapUs;
    if (idle < 1_000_000 || f.gapAfterN === 0 || f.gapAfterN <= (f.establishedN || f.synAckN)) continue;
    const closedBefore = f.d[0].fin > 0 && f.d[1].fin > 0 && f.d[1].rst === 0;
    if (closedBefore) continue;
    // After the gap: the peer answers only with a RST, or not at all (the client retransmits).
    const rstAfter = f.firstRstUs >= f.gapAfterUs && f.firstRstDir === 1;
    const deadAfter = f.afterGap[1] === 0 && f.afterGap[0] >= 2 && f.d[0].retrans > 0;
    const rstAfterAny = rstAfter && f.afterGap[1] <= f.d[1].rst;
    if (!rstAfterAny && !deadAfter) continue;
    const vars = { address: f.addr(1), port: f.bport, idleSec: secs(idle) };
    const summary = rstAfterAny
      ? tr(
          lang,
          `idle ${secs(idle)} s between #${f.gapBeforeN} and #${f.gapAfterN}; the peer's answer is a RST (#${f.firstRstN})`,
          `#${f.gapBeforeN} 与 #${f.gapAfterN} 之间空闲 ${secs(idle)} 秒；对端的回应是 RST（#${f.firstRstN}）`,
        )
      : tr(
          lang,
          `idle ${secs(idle)} s between #${f.gapBeforeN} and #${f.gapAfterN}; after it the client sends ${f.afterGap[0]} packet(s) (retransmitted) and the peer never answers`,
          `#${f.gapBeforeN} 与 #${f.gapAfterN} 之间空闲 ${secs(idle)} 秒；之后客户端发送 ${f.afterGap[0]} 个报文（重传），对端再无应答`,
        );
    out.push(
      finding(
        TCP_006,
        lang,
        vars,
        [ev('pcap.tcp', summary, [{ n: f.gapAfterN, ts: iso(f.gapAfterUs) }, ...(rstAfterAny ? [{ n: f.firstRstN, ts: iso(f.firstRstUs) }] : [])], { idleSec: idle / 1e6, state: f.state })],
        tr(lang, `The connection to ${hp(f.addr(1), f.bport)} dies after ${vars.idleSec} s idle`, `到 ${hp(f.addr(1), f.bport)} 的连接空闲 ${vars.idleSec} 秒后失效`),
        tr(
          lang,
          `The connection worked, stayed silent for ${vars.idleSec} s, and the first packet after the silence ${rstAfterAny ? 'was answered by a RST' : 'was never answered'}: a NAT or firewall on the path forgot the connection while it was idle (its idle timeout is shorter than the silence), or the server dropped it.`,
          `连接原本正常，静默 ${vars.idleSec} 秒后发出的第一个报文${rstAfterAny ? '收到了 RST' : '再无应答'}：路径上的 NAT 或防火墙在空闲期间遗忘了该连接（其空闲超时短于这段静默），或服务器丢弃了它。`,
        ),
        tcp006Fix(lang, idle),
      ),
    );
  }
  return out;
}

/** NET-009: frag-needed / packet-too-big, or full-size segments retransmitted while small ones pass. */
function pmtuBlackhole(j: Judging): Finding[] {
  const { a, lang, flows } = j;
  const out: Finding[] = [];
  if (a.fragNeeded.length > 0) {
    const fn = a.fragNeeded[0]!;
    const dst = fn.flow.replace(/^.*→ /, '').replace(/:\d+$/, '');
    out.push(
      finding(
        NET_009,
        lang,
        { dst, passes: fn.mtu, mtu: fn.mtu },
        a.fragNeeded
          .slice(0, 4)
          .map((x) =>
            ev(
              'pcap.icmp',
              tr(
                lang,
                `${x.v6 ? 'ICMPv6 packet-too-big' : 'ICMP frag-needed'} from ${x.from}, next-hop MTU ${x.mtu}, quoting ${x.flow}`,
                `来自 ${x.from} 的 ${x.v6 ? 'ICMPv6 packet-too-big' : 'ICMP frag-needed'}，下一跳 MTU ${x.mtu}，引用 ${x.flow}`,
              ),
              [{ n: x.n, ts: iso(x.tsUs) }],
              { mtu: x.mtu, from: x.from },
            ),
          ),
        tr(lang, `The path to ${dst} carries at most ${fn.mtu} bytes per packet (${fn.from} says so)`, `到 ${dst} 的路径每个报文最多 ${fn.mtu} 字节（${fn.from} 告知）`),
        tr(
          lang,
          `${fn.from} dropped a packet too large for its next hop and said so (${a.fragNeeded.length} time(s)); senders that honour it shrink their packets, but when this ICMP is filtered before it reaches them, large packets vanish silently (a PMTU blackhole).`,
          `${fn.from} 丢弃了一个超过下一跳 MTU 的报文并发出通知（${a.fragNeeded.length} 次）；遵守该通知的发送方会减小报文，但若这条 ICMP 在到达发送方之前被过滤，大报文就会被悄悄丢弃（PMTU 黑洞）。`,
        ),
      ),
    );
  } else {
    for (const f of flows) {
      for (const side of [0, 1] as const) {
        const s = f.d[side];
        if (s.bigRetrans < 2 || f.synAcks === 0) continue;
        // Never acknowledged: the peer's last ACK did not pass the first retransmitted segment.
        const peer = f.d[side === 0 ? 1 : 0];
        if (peer.lastAck >= 0 && ((peer.lastAck - s.bigRetransSeq) | 0) > 0) continue;
        const segment = s.bigRetransLen;
        const dst = f.addr(side === 0 ? 1 : 0);
        out.push(
          finding(
            NET_009,
            lang,
            { dst, passes: segment, mtu: segment },
            [
              ev(
                'pcap.tcp',
                tr(
                  lang,
                  `${s.bigRetrans} retransmission(s) of full-size segments (${segment} bytes of payload) to ${dst}, never acknowledged: packets ${nums(s.bigRetransRefs)}; the handshake and smaller segments got through`,
                  `发往 ${dst} 的满长度报文段（载荷 ${segment} 字节）被重传 ${s.bigRetrans} 次且始终未被确认：报文 ${nums(s.bigRetransRefs)}；握手及较小的报文段均可通过`,
                ),
                refs(s.bigRetransRefs),
                { retransmissions: s.bigRetrans, segment, mss: peer.mss },
              ),
            ],
            tr(lang, `Full-size packets to ${dst} are lost while small ones pass (PMTU blackhole)`, `发往 ${dst} 的满长度报文丢失而小报文可以通过（PMTU 黑洞）`),
            tr(
              lang,
              `The connection ${hp(f.addr(0), f.aport)} → ${hp(f.addr(1), f.bport)} is established and small packets pass, but the largest segments are retransmitted again and again and never acknowledged, and no ICMP frag-needed is in the capture: a link on the path has a smaller MTU and its ICMP error is filtered.`,
              `连接 ${hp(f.addr(0), f.aport)} → ${hp(f.addr(1), f.bport)} 已建立、小报文可以通过，但最大的报文段被一再重传、始终未被确认，抓包中也没有 ICMP frag-needed：路径上某段链路的 MTU 更小，且其 ICMP 错误被过滤。`,
            ),
          ),
        );
        break;
      }
    }
  }
  return out;
}

/** NET-002: ARP requests never answered. */
function arpUnanswered(j: Judging): Finding[] {
  const { a, lang } = j;
  const out: Finding[] = [];
  for (const t of a.arp.values()) {
    if (t.requests < 3 || t.replies > 0) continue;
    out.push(
      finding(
        NET_002,
        lang,
        { gateway: t.ip },
        [
          ev(
            'pcap.arp',
            tr(lang, `${t.requests} ARP request(s) "who has ${t.ip}", no reply: packets ${nums(t.refs)}`, `${t.requests} 个 ARP 请求“谁是 ${t.ip}”，无应答：报文 ${nums(t.refs)}`),
            refs(t.refs),
            { requests: t.requests },
          ),
        ],
        tr(lang, `${t.ip} does not answer ARP (${t.requests} requests)`, `${t.ip} 不响应 ARP（${t.requests} 次请求）`),
        tr(
          lang,
          `The host asks again and again for the MAC address of ${t.ip} and gets no answer: the next hop (the gateway, when ${t.ip} is one) is down, on another segment/VLAN, or its address is wrong. Nothing sent through it can leave.`,
          `主机反复询问 ${t.ip} 的 MAC 地址，始终没有应答：下一跳（若 ${t.ip} 是网关，即网关）宕机、位于其他网段/VLAN，或地址配置错误。经由它发出的报文都无法离开本机。`,
        ),
      ),
    );
  }
  return out;
}

/** NET-004: echo requests to a MAC that is not the gateway's. */
function echoMisrouted(j: Judging): Finding[] {
  const { a, lang } = j;
  const out: Finding[] = [];
  const gw = gatewayMac(a);
  if (gw >= 0) {
    for (const e of a.echo.values()) {
      if (e.replies > 0 || e.requests < 2 || e.dstMac < 0 || e.dstMac === gw) continue;
      const owner = [...a.arpMac.entries()].find(([, m]) => m === macText(e.dstMac))?.[0];
      const gwIp = [...a.arpMac.entries()].find(([, m]) => m === macText(gw))?.[0];
      const actual = owner ? `via ${owner} (${macText(e.dstMac)})` : `to ${macText(e.dstMac)}`;
      const expected = gwIp ? `${gwIp} (${macText(gw)})` : macText(gw);
      out.push(
        finding(
          NET_004,
          lang,
          { dst: e.dst, actual, expected },
          [
            ev(
              'pcap.icmp',
              tr(
                lang,
                `${e.requests} echo request(s) to ${e.dst} leave to MAC ${macText(e.dstMac)}${owner ? ` (${owner})` : ''}, while the other routed traffic goes to ${expected}; no reply: packets ${nums(e.refs)}`,
                `${e.requests} 个发往 ${e.dst} 的回显请求被送往 MAC ${macText(e.dstMac)}${owner ? `（${owner}）` : ''}，而其他经路由的流量送往 ${expected}；无应答：报文 ${nums(e.refs)}`,
              ),
              refs(e.refs),
              { dstMac: macText(e.dstMac), gatewayMac: macText(gw) },
            ),
          ],
          null,
          tr(
            lang,
            `Packets to ${e.dst} are handed to ${owner ?? macText(e.dstMac)} instead of the gateway ${expected} that carries the rest of the traffic, and nothing comes back: a more specific route (or a wrong neighbour entry) sends them the wrong way.`,
            `发往 ${e.dst} 的报文被交给 ${owner ?? macText(e.dstMac)}，而不是承载其余流量的网关 ${expected}，且没有任何回应：一条更具体的路由（或错误的邻居表项）把它们送错了方向。`,
          ),
        ),
      );
    }
  }
  return out;
}

/** DNS-002 / DNS-003 / DNS-005. */
/** DNS-002 / DNS-003 / DNS-005 from the queries about the target (or all of them). */
function dnsFindings(j: Judging): Finding[] {
  const { a, o } = j;
  const focus = a.dns.filter((q) => !o.targetHost || sameName(q.qname, o.targetHost) || isIpLiteral(o.targetHost));
  return [...nxdomainFindings(j, focus), ...rcodeFindings(j, focus), ...mismatchFindings(j, focus)];
}

type DnsQuery = Judging['a']['dns'][number];

function nxdomainFindings(j: Judging, dnsFocus: DnsQuery[]): Finding[] {
  const { lang } = j;
  const out: Finding[] = [];
  const nx = groupBy(
    dnsFocus.filter((q) => q.rcode === 3),
    (q) => q.qname.toLowerCase(),
  );
  for (const [name, qs] of nx) {
    const q = qs[0]!;
    out.push(
      finding(
        DNS_002,
        lang,
        { name, s: qs.length > 1 ? 's' : '' },
        [
          ev(
            'pcap.dns',
            tr(
              lang,
              `${QTYPES[q.qtype] ?? q.qtype} ${name} → NXDOMAIN from ${q.server} (query #${q.queryN}, answer #${q.responseN}${qs.length > 1 ? `, ${qs.length} answers` : ''})`,
              `${QTYPES[q.qtype] ?? q.qtype} ${name} → ${q.server} 返回 NXDOMAIN（查询 #${q.queryN}，应答 #${q.responseN}${qs.length > 1 ? `，共 ${qs.length} 个应答` : ''}）`,
            ),
            dnsRefs(q),
            { server: q.server, rcode: 'NXDOMAIN' },
          ),
        ],
        null,
        tr(
          lang,
          `The resolver ${q.server} answers that ${name} does not exist (NXDOMAIN): the name is misspelt, not published, or a search domain was appended.`,
          `解析服务器 ${q.server} 回答 ${name} 不存在（NXDOMAIN）：域名拼写错误、未发布，或被附加了搜索域。`,
        ),
      ),
    );
  }
  return out;
}

function rcodeFindings(j: Judging, dnsFocus: DnsQuery[]): Finding[] {
  const { lang } = j;
  const out: Finding[] = [];
  const bad = groupBy(
    dnsFocus.filter((q) => q.rcode === 2 || q.rcode === 5 || q.rcode === 4 || q.rcode === 1),
    (q) => q.qname.toLowerCase(),
  );
  for (const [name, qs] of bad) {
    const q = qs[0]!;
    const rcodes = [...new Set(qs.map((x) => RCODES[x.rcode] ?? String(x.rcode)))].join(', ');
    out.push(
      finding(
        DNS_003,
        lang,
        { name, rcodes, s: '' },
        qs
          .slice(0, 4)
          .map((x) =>
            ev(
              'pcap.dns',
              tr(
                lang,
                `${QTYPES[x.qtype] ?? x.qtype} ${name} → ${RCODES[x.rcode] ?? x.rcode} from ${x.server} (query #${x.queryN}, answer #${x.responseN})`,
                `${QTYPES[x.qtype] ?? x.qtype} ${name} → ${x.server} 返回 ${RCODES[x.rcode] ?? x.rcode}（查询 #${x.queryN}，应答 #${x.responseN}）`,
              ),
              dnsRefs(x),
              { server: x.server, rcode: RCODES[x.rcode] ?? x.rcode },
            ),
          ),
        null,
        tr(
          lang,
          `The resolver ${q.server} answers ${rcodes} for ${name}: it refuses to resolve for this client or fails upstream, so the name cannot be resolved through it.`,
          `解析服务器 ${q.server} 对 ${name} 返回 ${rcodes}：它拒绝为本客户端解析或上游失败，因此无法经由它解析该域名。`,
        ),
      ),
    );
  }
  return out;
}

function mismatchFindings(j: Judging, dnsFocus: DnsQuery[]): Finding[] {
  const { o, lang } = j;
  const out: Finding[] = [];
  if (o.expectIp && o.expectIp.length > 0) {
    const want = new Set(o.expectIp);
    const wrong = dnsFocus.filter((q) => q.rcode === 0 && (q.qtype === 1 || q.qtype === 28) && q.answers.length > 0 && !q.answers.some((x) => want.has(x)));
    for (const [name, qs] of groupBy(wrong, (q) => q.qname.toLowerCase())) {
      const q = qs[0]!;
      const what = tr(lang, `${q.answers.join(', ')} instead of ${o.expectIp.join(', ')}`, `${q.answers.join(', ')}，而不是 ${o.expectIp.join(', ')}`);
      out.push(
        finding(
          DNS_005,
          lang,
          { name, what, qtype: QTYPES[q.qtype] ?? q.qtype },
          [
            ev(
              'pcap.dns',
              tr(
                lang,
                `${QTYPES[q.qtype]} ${name} → ${q.answers.join(', ')} from ${q.server} (answer #${q.responseN}); expected ${o.expectIp.join(', ')}`,
                `${QTYPES[q.qtype]} ${name} → ${q.server} 返回 ${q.answers.join(', ')}（应答 #${q.responseN}）；期望 ${o.expectIp.join(', ')}`,
              ),
              dnsRefs(q),
              { server: q.server, answers: q.answers, expected: o.expectIp },
            ),
          ],
          null,
          tr(
            lang,
            `The resolver ${q.server} answers ${name} with ${q.answers.join(', ')}, not the expected ${o.expectIp.join(', ')}: a stale or split-horizon record, a hijacking resolver, or a wrong zone entry.`,
            `解析服务器 ${q.server} 对 ${name} 的应答是 ${q.answers.join(', ')}，不是期望的 ${o.expectIp.join(', ')}：记录过期、分区视图差异、解析被劫持或区域记录错误。`,
          ),
        ),
      );
    }
  }
  return out;
}

function dnsRefs(q: { queryN: number; queryUs: number; responseN: number; responseUs: number }): PacketEvidence[] {
  const r: PacketEvidence[] = [];
  if (q.queryN) r.push({ n: q.queryN, ts: iso(q.queryUs) });
  if (q.responseN) r.push({ n: q.responseN, ts: iso(q.responseUs) });
  return r;
}

function tcp006Fix(lang: Lang, idleUs: number): Fix[] {
  // Below the silence that killed the flow, as the live rule does (a keepalive of 10 s would not
  // save a flow that died after 5 s idle).
  const keep = keepaliveBelow(idleUs / 1e6);
  return [
    {
      summary: fill(TCP_006.fix[0]!.summary[lang], { idleSec: secs(idleUs) }),
      command: `sysctl -w net.ipv4.tcp_keepalive_time=${keep} net.ipv4.tcp_keepalive_intvl=${Math.max(1, Math.floor(keep / 3))}`,
    },
    { summary: TCP_006.fix[1]!.summary[lang] },
  ];
}

/** Same code and title twice (e.g. two flows with the same alert) is one finding. */
function dedupe(fs: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of fs) {
    const k = `${f.code}|${f.title}`;
    const have = seen.get(k);
    if (have) {
      if (have.evidence.length < 6) have.evidence.push(...f.evidence.slice(0, 6 - have.evidence.length));
    } else seen.set(k, f);
  }
  return [...seen.values()];
}

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
const isIpLiteral = (s: string): boolean => /^[0-9.]+$/.test(s) || s.includes(':');

/**
 * The gateway's MAC: the destination MAC that carries IPv4 packets to the most distinct
 * addresses (a router forwards for many; a neighbour is one address). -1 when it cannot be told.
 */
export function gatewayMac(a: Analyzer): number {
  let best = -1;
  let bestN = 1;
  for (const [m, v] of a.macDsts) {
    if (m === 0xffffffffffff) continue;
    if (v.dsts.size > bestN) {
      best = m;
      bestN = v.dsts.size;
    }
  }
  return best;
}

interface Heartbeat {
  intervalUs: number;
  answered: number;
  lost: number;
  firstLostN: number;
  firstLostUs: number;
  endNote: string;
}

/**
 * Heartbeats: the originator's small messages at a steady interval (≥ 0.5 s, each gap within 30 %
 * of the median), the first ones answered by the peer, the last ones not.
 */
function heartbeat(f: TcpFlow, captureEndUs: number): Heartbeat | null {
  const t = f.d[0].dataTimes;
  const n = f.d[0].dataRefs;
  if (t.length < 4) return null;
  // Retransmissions sit close together; heartbeats are the first send of each beat.
  const beats: number[] = [];
  const beatN: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (beats.length > 0 && t[i]! - beats[beats.length - 1]! < 300_000) continue;
    beats.push(t[i]!);
    beatN.push(n[i]!);
  }
  if (beats.length < 4) return null;
  const gaps = beats.slice(1).map((x, i) => x - beats[i]!);
  const sorted = [...gaps].sort((x, y) => x - y);
  const med = sorted[Math.floor(sorted.length / 2)]!;
  if (med < 500_000) return null;
  if (gaps.filter((g) => Math.abs(g - med) <= med * 0.3).length < gaps.length * 0.75) return null;
  const replies = f.d[1].dataTimes;
  const answeredBy = (i: number): boolean => {
    const end = i + 1 < beats.length ? beats[i + 1]! : beats[i]! + med;
    return replies.some((r) => r > beats[i]! && r < end);
  };
  let lastAnswered = -1;
  for (let i = 0; i < beats.length; i++) if (answeredBy(i)) lastAnswered = i;
  if (lastAnswered < 1) return null;
  let lost = beats.length - 1 - lastAnswered;
  let endNote = '';
  if (lost === 0) {
    // Answered to the end: do they stop while the connection (and capture) goes on?
    const last = beats[beats.length - 1]!;
    const connEnd = f.lastUs;
    if (connEnd - last < 2.5 * med && captureEndUs - last < 2.5 * med) return null;
    if (f.d[1].rst === 0 && f.d[0].rst === 0 && f.d[0].fin === 0 && connEnd - last < 2.5 * med) return null;
    lost = Math.max(1, Math.floor((Math.min(connEnd, captureEndUs) - last) / med) - 0);
    if (f.d[0].fin > 0 || f.d[0].rst > 0 || f.d[1].rst > 0) endNote = 'then the connection ends';
    return lost >= 2 ? { intervalUs: med, answered: beats.length, lost, firstLostN: f.lastN, firstLostUs: f.lastUs, endNote } : null;
  }
  return { intervalUs: med, answered: lastAnswered + 1, lost, firstLostN: beatN[lastAnswered + 1]!, firstLostUs: beats[lastAnswered + 1]!, endNote };
}

function alertName(desc: number): string {
  return ALERTS[desc] ?? `alert ${desc}`;
}

/** TLS alert → fault code, by who sent it. */
function alertCode(name: string, fromServer: boolean, certRequested: boolean): RuleMeta | null {
  if (fromServer) {
    if (name === 'handshake_failure') return certRequested ? TLS_007 : TLS_006;
    if (name === 'protocol_version' || name === 'insufficient_security') return TLS_006;
    if (name === 'certificate_required') return TLS_007;
    if (name === 'unrecognized_name') return TLS_003;
    if (certRequested && (name === 'bad_certificate' || name === 'unknown_ca' || name === 'certificate_unknown' || name === 'certificate_expired')) return TLS_007;
    return null;
  }
  if (name === 'certificate_expired') return TLS_001;
  if (name === 'unknown_ca' || name === 'bad_certificate' || name === 'certificate_unknown') return TLS_004;
  if (name === 'protocol_version' || name === 'insufficient_security' || name === 'handshake_failure') return TLS_006;
  return null;
}

interface TlsSeen {
  f: TcpFlow;
  o: JudgeOptions;
  lang: Lang;
  ce: Array<{ e: TlsEvent; n: number; tsUs: number }>;
  se: Array<{ e: TlsEvent; n: number; tsUs: number }>;
  hello: { e: TlsEvent; n: number; tsUs: number } | undefined;
  sh: { e: TlsEvent; n: number; tsUs: number } | undefined;
  sni: string | null;
  server: string;
  certReq: boolean;
  /** The ClientHello and ServerHello as evidence, for every TLS finding of the flow. */
  ctx: Evidence[];
}

/** What the flow's TLS records show: both sides' handshake events and the hellos as evidence. */
function tlsSeen(f: TcpFlow, o: JudgeOptions, lang: Lang): TlsSeen | null {
  const c = f.d[0].tls;
  const s = f.d[1].tls;
  if (!c && !s) return null;
  const events = (st: typeof c): Array<{ e: TlsEvent; n: number; tsUs: number }> => (st ? st.events.map((e, i) => ({ e, n: st.eventPackets[i]!, tsUs: st.eventTimes[i]! })) : []);
  const ce = events(c);
  const se = events(s);
  const hello = ce.find((x) => x.e.kind === 'clientHello');
  const sh = se.find((x) => x.e.kind === 'serverHello');
  const sni = hello?.e.sni ?? (o.targetHost && !isIpLiteral(o.targetHost) ? o.targetHost : null);
  const server = sni ? `${sni} (${hp(f.addr(1), f.bport)})` : hp(f.addr(1), f.bport);
  const certReq = se.some((x) => x.e.kind === 'certificateRequest');
  const helloText = hello
    ? tr(
        lang,
        `ClientHello #${hello.n}: SNI ${hello.e.sni ?? '(none)'}, versions ${(hello.e.versions ?? []).map(tlsVersionName).join(', ')}`,
        `ClientHello #${hello.n}：SNI ${hello.e.sni ?? '（无）'}，版本 ${(hello.e.versions ?? []).map(tlsVersionName).join('、')}`,
      )
    : null;
  const shText = sh
    ? tr(
        lang,
        `ServerHello #${sh.n}: ${tlsVersionName(sh.e.version ?? 0)}, cipher 0x${(sh.e.cipher ?? 0).toString(16).padStart(4, '0')}`,
        `ServerHello #${sh.n}：${tlsVersionName(sh.e.version ?? 0)}，加密套件 0x${(sh.e.cipher ?? 0).toString(16).padStart(4, '0')}`,
      )
    : null;
  const ctx: Evidence[] = [];
  if (helloText && hello) ctx.push(ev('pcap.tls', helloText, [{ n: hello.n, ts: iso(hello.tsUs) }], { sni: hello.e.sni ?? null, versions: (hello.e.versions ?? []).map(tlsVersionName) }));
  if (shText && sh) ctx.push(ev('pcap.tls', shText, [{ n: sh.n, ts: iso(sh.tsUs) }], { version: tlsVersionName(sh.e.version ?? 0), cipher: sh.e.cipher }));
  return { f, o, lang, ce, se, hello, sh, sni, server, certReq, ctx };
}

/** TLS-001/002/003/004… from a certificate chain sent in the clear; returns the codes found and the issuer. */
function certFindings(t: TlsSeen, out: Finding[]): { certCodes: Set<string>; issuer: string } {
  const { f, lang, se, sni, server, ctx } = t;
  // Certificate chain (TLS ≤ 1.2 sends it in the clear).
  const cert = se.find((x) => x.e.kind === 'certificate');
  const certCodes = new Set<string>();
  let issuer = '';
  if (cert?.e.certs && cert.e.certs.length > 0) {
    let leaf: X509Certificate | null = null;
    try {
      leaf = new X509Certificate(cert.e.certs[0]!);
    } catch {
      leaf = null;
    }
    if (leaf) {
      issuer = leaf.issuer.replace(/\n/g, ', ');
      const at = cert.tsUs / 1000;
      const notAfter = Date.parse(leaf.validTo);
      const notBefore = Date.parse(leaf.validFrom);
      const subject = leaf.subject.replace(/\n/g, ', ');
      const chainText = tr(
        lang,
        `Certificate #${cert.n}: ${cert.e.certs.length} certificate(s), leaf ${subject}, valid ${isoMs(notBefore)} … ${isoMs(notAfter)}, SAN ${leaf.subjectAltName ?? '(none)'}`,
        `Certificate #${cert.n}：${cert.e.certs.length} 张证书，叶证书 ${subject}，有效期 ${isoMs(notBefore)} … ${isoMs(notAfter)}，SAN ${leaf.subjectAltName ?? '（无）'}`,
      );
      const certEv = ev('pcap.tls', chainText, [{ n: cert.n, ts: iso(cert.tsUs) }], {
        subject,
        notBefore: isoMs(notBefore),
        notAfter: isoMs(notAfter),
        sans: leaf.subjectAltName ?? null,
        chain: cert.e.certs.length,
      });
      const atIso = isoMs(at);
      if (Number.isFinite(notAfter) && notAfter < at) {
        const days = Math.floor((at - notAfter) / 86400000);
        certCodes.add('TLS-001');
        out.push(
          finding(
            TLS_001,
            lang,
            { server, days, notAfter: isoMs(notAfter), subject, at: atIso },
            [certEv, ...ctx],
            null,
            tr(
              lang,
              `The certificate ${server} presented had expired ${days} day(s) before the capture (not after ${isoMs(notAfter)}); clients that check refuse it.`,
              `${server} 出示的证书在抓包时已过期 ${days} 天（有效期至 ${isoMs(notAfter)}）；进行校验的客户端会拒绝它。`,
            ),
          ),
        );
      } else if (Number.isFinite(notBefore) && notBefore > at) {
        const days = Math.ceil((notBefore - at) / 86400000);
        certCodes.add('TLS-002');
        out.push(
          finding(
            TLS_002,
            lang,
            { server, days, notBefore: isoMs(notBefore), subject, at: atIso },
            [certEv, ...ctx],
            null,
            tr(
              lang,
              `The certificate ${server} presented becomes valid only ${isoMs(notBefore)}, ${days} day(s) after the capture: a clock is wrong (the server's when it issued it, or the client's).`,
              `${server} 出示的证书要到 ${isoMs(notBefore)} 才生效，比抓包时间晚 ${days} 天：某一方的时钟有误（签发时的服务器时钟，或客户端时钟）。`,
            ),
          ),
        );
      }
      if (sni && !isIpLiteral(sni) && leaf.checkHost(sni) === undefined) {
        certCodes.add('TLS-003');
        out.push(
          finding(
            TLS_003,
            lang,
            { server, name: sni, subject, sans: leaf.subjectAltName ?? '' },
            [certEv, ...ctx],
            null,
            tr(
              lang,
              `The client asked for ${sni}, and the certificate ${hp(f.addr(1), f.bport)} presented covers ${leaf.subjectAltName ?? subject}, not that name: clients that check the name refuse it.`,
              `客户端请求的是 ${sni}，而 ${hp(f.addr(1), f.bport)} 出示的证书覆盖 ${leaf.subjectAltName ?? subject}，不包含该名称：校验域名的客户端会拒绝它。`,
            ),
          ),
        );
      }
    }
  }
  return { certCodes, issuer };
}

const GENERIC_CERT_REJECTIONS = new Set(['bad_certificate', 'certificate_unknown', 'unsupported_certificate', 'certificate_expired']);

/** The TLS codes the plaintext alerts name (an alert a certificate finding already explains joins its evidence). */
function alertFindings(t: TlsSeen, out: Finding[], certCodes: Set<string>, issuer: string): void {
  const { f, lang, ce, se, hello, sni, server, certReq, ctx } = t;
  // Alerts (plaintext ones: before the encryption starts).
  for (const [list, fromServer] of [
    [se, true],
    [ce, false],
  ] as const) {
    for (const x of list) {
      if (x.e.kind !== 'alert' || x.e.description === 0) continue;
      const name = alertName(x.e.description ?? -1);
      const meta = alertCode(name, fromServer, certReq);
      const who = fromServer ? f.addr(1) : f.addr(0);
      const alertEv = ev(
        'pcap.tls',
        tr(
          lang,
          `alert ${name} (${x.e.level === 2 ? 'fatal' : 'warning'}) from ${fromServer ? 'the server' : 'the client'} ${who}: packet #${x.n}`,
          `${fromServer ? '服务器' : '客户端'} ${who} 发出告警 ${name}（${x.e.level === 2 ? '致命' : '警告'}）：报文 #${x.n}`,
        ),
        [{ n: x.n, ts: iso(x.tsUs) }],
        { alert: name, level: x.e.level, from: fromServer ? 'server' : 'client' },
      );
      if (!meta) continue;
      // The client's rejection joins the certificate finding the chain itself shows: the same code, or
      // any of them when the alert is a generic one (OpenSSL answers a not-yet-valid certificate with
      // bad_certificate, others with certificate_unknown). unknown_ca names a problem of its own.
      const explainedBy = certCodes.has(meta.code) ? meta.code : !fromServer && GENERIC_CERT_REJECTIONS.has(name) ? [...certCodes][0] : undefined;
      if (explainedBy) {
        const have = out.find((y) => y.code === explainedBy);
        have?.evidence.push(alertEv);
        continue;
      }
      const vars: Record<string, string> = { server, alert: name, name: sni ?? f.addr(1), ...(issuer ? { issuer } : {}) };
      const explanation = fromServer
        ? tr(
            lang,
            `The server ${server} ended the handshake with the alert ${name}${hello ? ` after the ClientHello (versions ${(hello.e.versions ?? []).map(tlsVersionName).join(', ')})` : ''}${certReq ? ', having asked for a client certificate' : ''}.`,
            `服务器 ${server} 以告警 ${name} 结束了握手${hello ? `（ClientHello 提供的版本：${(hello.e.versions ?? []).map(tlsVersionName).join('、')}）` : ''}${certReq ? '，此前它要求了客户端证书' : ''}。`,
          )
        : tr(
            lang,
            `The client ended the handshake with ${server} with the alert ${name}: it refused what the server presented.`,
            `客户端以告警 ${name} 结束了与 ${server} 的握手：它拒绝了服务器出示的内容。`,
          );
      out.push(
        finding(
          meta,
          lang,
          vars,
          [alertEv, ...ctx],
          meta === TLS_001 || meta === TLS_004
            ? tr(lang, `${server}: the client rejects the certificate (alert ${name})`, `${server}：客户端拒绝了证书（告警 ${name}）`)
            : meta === TLS_003
              ? tr(lang, `${server} does not know the name ${sni ?? '?'} (alert ${name})`, `${server} 不认识名称 ${sni ?? '?'}（告警 ${name}）`)
              : null,
          explanation,
        ),
      );
    }
  }
}

function tlsFindings(f: TcpFlow, o: JudgeOptions, lang: Lang): Finding[] {
  const t = tlsSeen(f, o, lang);
  if (!t) return [];
  const out: Finding[] = [];
  const { certCodes, issuer } = certFindings(t, out);
  alertFindings(t, out, certCodes, issuer);
  return out;
}
