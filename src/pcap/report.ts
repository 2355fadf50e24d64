/**
 * The capture's report: the netdx.report/v1 shape (findings ranked like a diagnosis, layers,
 * observations) plus `capture`: what was read, the conversations, top talkers, retransmission
 * rate and handshake RTT percentiles.
 */
import { basename } from 'node:path';
import type { Lang, Layer } from '../model/layer.js';
import { LAYERS } from '../model/layer.js';
import type { CaptureSummary, Finding, LayerRow, Report } from '../model/report.js';
import { REPORT_SCHEMA_ID } from '../model/report-id.js';
import type { Target } from '../model/target.js';
import { rankFindings } from '../diagnose/rank.js';
import { metaOf } from '../diagnose/judge.js';
import { verdictOf } from '../diagnose/verdict.js';
import { t } from '../report/i18n.js';
import type { MessageKey } from '../report/messages.js';
import type { Message } from '../model/message.js';
import { LINKTYPE_NAMES } from './decode.js';
import { convOfTcp, convOfUdp, type Analyzer, type ConvRow } from './flows.js';
import type { CaptureInfo } from './reader.js';

const iso = (us: number): string => (us > 0 && us / 1000 <= 8.64e15 ? new Date(us / 1000).toISOString() : '');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 1000) / 1000;
}

/** What went wrong while reading, as message ids with parameters: the reader's notes, then the link types it could not decode. */
const warningsOf = (a: Analyzer, info: CaptureInfo): Message[] => [
  ...info.notes.map((w) => ({ id: w.key, params: w.vars })),
  ...[...a.unknownLinktypes.entries()].map(([lt, n]) => ({ id: 'pcap.warn.linktype', params: { n, lt } })),
];

export function summarize(a: Analyzer, info: CaptureInfo, file: string, lang: Lang = 'en', top = 10): CaptureSummary {
  const R = a.retired;
  const warningMessages = warningsOf(a, info);
  const states: Record<string, number> = { ...R.states };
  const rtts: number[] = [...R.rtts];
  let tcpPkts = R.tcpPkts;
  let retrans = R.retrans;
  let dupAcks = R.dupAcks;
  let zeroWin = R.zeroWin;
  const talkers = new Map<string, { packets: number; bytes: number }>();
  for (const [k, v] of R.talkers) talkers.set(k, { ...v });
  const talk = (addr: string, pk: number, by: number): void => {
    const x = talkers.get(addr);
    if (x) {
      x.packets += pk;
      x.bytes += by;
    } else talkers.set(addr, { packets: pk, bytes: by });
  };
  const rows: ConvRow[] = [...R.top];
  for (const f of a.tcp) {
    const st = f.state;
    states[st] = (states[st] ?? 0) + 1;
    if (f.rttMs >= 0) rtts.push(f.rttMs);
    const [o, r] = f.d;
    tcpPkts += o.pkts + r.pkts;
    retrans += o.retrans + r.retrans;
    dupAcks += o.dupAcks + r.dupAcks;
    zeroWin += o.zeroWin + r.zeroWin;
    talk(f.addr(0), o.pkts, o.bytes);
    talk(f.addr(1), r.pkts, r.bytes);
    rows.push(convOfTcp(f));
  }
  for (const u of a.udp) {
    talk(u.addr(0), u.pkts[0], u.bytes[0]);
    talk(u.addr(1), u.pkts[1], u.bytes[1]);
    rows.push(convOfUdp(u));
  }
  rtts.sort((x, y) => x - y);
  rows.sort((x, y) => y.bytesAB + y.bytesBA - (x.bytesAB + x.bytesBA));
  const convs: CaptureSummary['conversations'] = rows.slice(0, top).map((c) => {
    const base = {
      proto: c.proto,
      a: c.a,
      aPort: c.aPort,
      b: c.b,
      bPort: c.bPort,
      packetsAB: c.packetsAB,
      bytesAB: c.bytesAB,
      packetsBA: c.packetsBA,
      bytesBA: c.bytesBA,
      firstPacket: c.firstPacket,
      start: iso(c.firstUs),
      durationMs: Math.round((c.lastUs - c.firstUs) / 100) / 10,
    };
    const f = c.tcp;
    if (!f) return { ...base, icmpErrors: 0 };
    const [o, r] = f.d;
    return {
      ...base,
      state: f.state,
      rttMs: f.rttMs >= 0 ? Math.round(f.rttMs * 1000) / 1000 : null,
      retransmissions: o.retrans + r.retrans,
      dupAcks: o.dupAcks + r.dupAcks,
      zeroWindows: o.zeroWin + r.zeroWin,
      mss: [o.mss, r.mss],
      wscale: [o.wscale, r.wscale],
      mssClamp: o.mssClamp ? { from: o.mssClamp.from, to: o.mssClamp.to, packet: o.mssClamp.n } : r.mssClamp ? { from: r.mssClamp.from, to: r.mssClamp.to, packet: r.mssClamp.n } : null,
      maxIdleMs: Math.round(f.maxGapUs / 1000),
      icmpErrors: f.icmp.length,
    };
  });
  return {
    file,
    format: info.format ?? 'pcap',
    linktypes: [...new Set(info.interfaces.map((i) => LINKTYPE_NAMES[i.linktype] ?? `linktype ${i.linktype}`))],
    packets: info.packets,
    bytes: info.bytes,
    matched: a.matched,
    start: iso(a.firstUs),
    end: iso(a.lastUs),
    durationMs: Math.round((a.lastUs - a.firstUs) / 100) / 10,
    tcpConnections: a.tcp.length + R.tcpFlows,
    udpFlows: a.udp.length + R.udpFlows,
    tcpStates: states,
    retransmissions: retrans,
    retransmissionRate: tcpPkts > 0 ? Math.round((retrans / tcpPkts) * 1e6) / 1e6 : 0,
    dupAcks,
    zeroWindows: zeroWin,
    handshakeRttMs: rtts.length > 0 ? { count: rtts.length, p50: percentile(rtts, 50), p90: percentile(rtts, 90), p99: percentile(rtts, 99), max: percentile(rtts, 100) } : null,
    dnsQueries: a.dns.length,
    fragments: a.ipv4Frags + a.ipv6Frags,
    topTalkers: [...talkers.entries()]
      .sort((x, y) => y[1].bytes - x[1].bytes)
      .slice(0, top)
      .map(([address, v]) => ({ address, packets: v.packets, bytes: v.bytes })),
    conversations: convs,
    warnings: warningMessages.map((m) => t(lang, m.id as MessageKey, m.params as Record<string, string | number>)),
    warningMessages,
  };
}

/** Layers a capture speaks to: fail/warn where a finding is, pass where traffic of that layer was seen, skip otherwise. */
function layerRows(findings: Finding[], a: Analyzer, lang: Lang): LayerRow[] {
  const seen: Record<Layer, boolean> = {
    host: false,
    dns: a.dns.length > 0,
    network: a.matched > 0,
    tunnel: false,
    transport: a.tcp.length + a.udp.length > 0,
    tls: a.tcp.some((f) => f.d[0].tls !== null || f.d[1].tls !== null),
    app: false,
  };
  return LAYERS.map((layer) => {
    const fs = findings.filter((f) => f.layer === layer);
    if (fs.some((f) => f.severity === 'error')) return { layer, status: 'fail', ms: 0 };
    if (fs.some((f) => f.severity === 'warning')) return { layer, status: 'warn', ms: 0 };
    if (seen[layer]) return { layer, status: 'pass', ms: 0 };
    return { layer, status: 'skip', ms: 0, reason: t(lang, 'pcap.layerNotSeen'), reasonMessage: { id: 'pcap.layerNotSeen', params: {} } };
  });
}

export function buildReport(opts: { a: Analyzer; info: CaptureInfo; file: string; findings: Finding[]; target: Target | null; lang: Lang; startedAt: Date; durationMs: number }): Report {
  const { a, info, file, lang } = opts;
  const { primary, findings: ranked } = rankFindings(opts.findings, metaOf);
  const capture = summarize(a, info, file === '-' ? '-' : basename(file), lang);
  const layers = layerRows(ranked, a, lang);
  return {
    schema: REPORT_SCHEMA_ID,
    target: opts.target
      ? { input: opts.target.input, host: opts.target.host, port: opts.target.port, protocol: opts.target.protocol }
      : { input: file, host: file === '-' ? 'stdin' : basename(file), port: null, protocol: 'tcp' },
    startedAt: opts.startedAt.toISOString(),
    durationMs: Math.round(opts.durationMs),
    verdict: verdictOf(ranked, layers).verdict,
    primary,
    findings: ranked,
    layers,
    observations: [
      {
        kind: 'pcap.summary',
        at: capture.start || opts.startedAt.toISOString(),
        ms: Math.round(opts.durationMs),
        data: { packets: capture.packets, tcpConnections: capture.tcpConnections, udpFlows: capture.udpFlows, tcpStates: capture.tcpStates },
      },
    ],
    lang,
    capture,
  };
}
