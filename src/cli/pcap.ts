/** `netdx pcap FILE`: read a tcpdump/Wireshark capture and name the fault, with the packets as evidence. */
import type { Command } from 'commander';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import pc from 'picocolors';
import { EXIT, inputError, readError, usageError } from '../model/errors.js';
import type { Lang } from '../model/layer.js';
import type { Report } from '../model/report.js';
import { formatHostPort, parseTarget, shown, type Target } from '../model/target.js';
import { detectLang, t } from '../report/i18n.js';
import { colorEnabled } from '../report/text.js';
import { speak } from '../model/message.js';
import { CaptureError, type CaptureInfo } from '../pcap/reader.js';
import { readCaptureFile, readCaptureStream } from '../pcap/read.js';
import { Analyzer } from '../pcap/flows.js';
import { compileFilter, FilterError } from '../pcap/filter.js';
import { judge } from '../pcap/findings.js';
import { buildReport } from '../pcap/report.js';
import { LINKTYPE_NAMES, SUPPORTED_LINKTYPES } from '../pcap/decode.js';
import { exitCodeOf } from './diagnose.js';

export interface RawPcapOptions {
  filter?: string;
  target?: string;
  expectIp?: string[];
  json?: boolean;
  lang?: string;
}

export interface PcapOptions {
  filter: string | null;
  target: Target | null;
  expectIp: string[];
  json: boolean;
  lang: Lang;
}

export function parsePcapOptions(raw: RawPcapOptions, env: NodeJS.ProcessEnv = process.env): PcapOptions {
  if (raw.lang !== undefined && raw.lang !== 'en' && raw.lang !== 'zh') throw usageError({ en: `--lang '${shown(raw.lang)}': expected en or zh`, zh: `--lang '${shown(raw.lang)}'：应为 en 或 zh` });
  for (const ip of raw.expectIp ?? []) if (!isIP(ip)) throw usageError({ en: `--expect-ip '${shown(ip)}': expected an IP address`, zh: `--expect-ip '${shown(ip)}'：应为 IP 地址` });
  if (raw.filter !== undefined) {
    try {
      compileFilter(raw.filter);
    } catch (err) {
      if (err instanceof FilterError) throw usageError({ en: `--filter '${shown(raw.filter)}': ${err.message}`, zh: `--filter “${shown(raw.filter)}”：${err.zh}` });
      throw err;
    }
  }
  return {
    filter: raw.filter ?? null,
    target: raw.target !== undefined ? parseTarget(raw.target) : null,
    expectIp: raw.expectIp ?? [],
    json: !!raw.json,
    lang: detectLang(raw.lang, env),
  };
}

/** Reads and judges a capture: the report. Throws NetdxError for input that is not a capture. */
export async function analyzeCapture(file: string, o: PcapOptions, stdin: NodeJS.ReadableStream = process.stdin): Promise<Report> {
  const startedAt = new Date();
  const t0 = performance.now();
  const a = new Analyzer({ filter: o.filter ? compileFilter(o.filter) : null });
  let info: CaptureInfo;
  const name = file === '-' ? 'standard input' : file;
  try {
    if (file === '-') {
      // Ctrl-C ends a live capture (tcpdump -w - | netdx pcap -): analyse what arrived.
      const stop = new AbortController();
      const onInt = (): void => stop.abort();
      process.once('SIGINT', onInt);
      try {
        info = await readCaptureStream(stdin as import('node:stream').Readable, a.onPacket, name, stop.signal);
      } finally {
        process.off('SIGINT', onInt);
      }
      if (stop.signal.aborted) (stdin as import('node:stream').Readable).destroy();
    } else info = readCaptureFile(file, a.onPacket, name);
  } catch (err) {
    if (err instanceof CaptureError) throw inputError({ en: err.message, zh: err.zh });
    const e = err as NodeJS.ErrnoException;
    if (e.code) {
      const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.code;
      const whyZh = e.code === 'ENOENT' ? '文件不存在' : e.code === 'EACCES' ? '权限不足' : e.code === 'EISDIR' ? '是目录' : e.code;
      throw readError({ en: `${name}: cannot read (${why})`, zh: `${name === 'standard input' ? '标准输入' : name}：无法读取（${whyZh}）` }, err);
    }
    throw err;
  }
  const lts = info.interfaces.map((i) => i.linktype);
  if (info.packets > 0 && lts.length > 0 && lts.every((lt) => !SUPPORTED_LINKTYPES.has(lt))) {
    const types = lts.map((lt) => `${lt}${LINKTYPE_NAMES[lt] ? ` (${LINKTYPE_NAMES[lt]})` : ''}`).join(', ');
    throw inputError({
      en: `${name}: link type ${types} is not one netdx decodes (Ethernet, Linux cooked SLL/SLL2, raw IP, loopback/null)`,
      zh: `${name}：netdx 无法解码链路类型 ${types}（支持 Ethernet、Linux cooked SLL/SLL2、raw IP、loopback/null）`,
    });
  }
  const findings = judge(a, { lang: o.lang, targetHost: o.target?.host ?? null, targetPort: o.target?.port ?? null, expectIp: o.expectIp });
  return buildReport({ a, info, file, findings, target: o.target, lang: o.lang, startedAt, durationMs: performance.now() - t0 });
}

const fmtBytes = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

export function renderPcapText(r: Report, lang: Lang, color: boolean): string {
  const c = pc.createColors(color);
  const cap = r.capture!;
  const out: string[] = [];
  out.push(c.bold(t(lang, 'pcap.heading', { file: cap.file, format: cap.format, linktypes: cap.linktypes.join(', ') || '-' })));
  const v = t(lang, `verdict.${r.verdict}`);
  const vv = r.verdict === 'ok' ? c.bold(c.green(v)) : r.verdict === 'degraded' ? c.bold(c.yellow(v)) : c.bold(c.red(v));
  const head = r.primary ? `${r.primary.code} ${r.primary.slug} · ${t(lang, `layer.${r.primary.layer}`)}` : '';
  out.push(t(lang, 'pcap.verdict', { verdict: vv, head, ms: r.durationMs }));
  out.push('');
  if (r.findings.length === 0) out.push(c.green(t(lang, 'pcap.noFindings')), '');
  else {
    out.push(c.bold(`${t(lang, 'pcap.findings')}:`));
    for (const f of r.findings) {
      const sev = f.severity === 'error' ? c.red(t(lang, 'severity.error')) : f.severity === 'warning' ? c.yellow(t(lang, 'severity.warning')) : c.dim(t(lang, 'severity.info'));
      const by = f.explainedBy ? c.dim(` (${t(lang, 'report.explainedBy', { code: f.explainedBy })})`) : '';
      // The texts from their messages, in the reader's language (the JSON report holds English).
      out.push(`  ${c.bold(`${f.code} ${f.slug}`)} [${sev}]${by}  ${speak(f.title, f.messages?.title, lang)}`);
      out.push(`    ${speak(f.explanation, f.messages?.explanation, lang)}`);
      for (const e of f.evidence) out.push(`    • ${c.dim(e.observation)}  ${speak(e.summary, e.message, lang)}`);
      for (const fx of f.fix) {
        out.push(`    → ${speak(fx.summary, fx.message, lang)}`);
        if (fx.command) out.push(`      ${c.cyan('$ ' + fx.command)}`);
      }
      out.push('');
    }
  }
  const states = Object.entries(cap.tcpStates)
    .sort((x, y) => y[1] - x[1])
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  out.push(t(lang, 'pcap.read', { packets: cap.packets, bytes: fmtBytes(cap.bytes), duration: (cap.durationMs / 1000).toFixed(3), start: cap.start, end: cap.end, matched: cap.matched }));
  out.push(t(lang, 'pcap.flows', { tcp: cap.tcpConnections, states: states || '-', udp: cap.udpFlows, dns: cap.dnsQueries }));
  out.push(t(lang, 'pcap.retrans', { n: cap.retransmissions, rate: (cap.retransmissionRate * 100).toFixed(2), dup: cap.dupAcks, zero: cap.zeroWindows }));
  if (cap.handshakeRttMs) out.push(t(lang, 'pcap.rtt', { ...cap.handshakeRttMs }));
  if (cap.topTalkers.length > 0) {
    out.push('', `${c.bold(t(lang, 'pcap.talkers'))}:`);
    for (const x of cap.topTalkers.slice(0, 5)) out.push(`  ${t(lang, 'pcap.talker', { address: x.address, packets: x.packets, bytes: fmtBytes(x.bytes) })}`);
  }
  if (cap.conversations.length > 0) {
    out.push('', `${c.bold(t(lang, 'pcap.conversations'))}:`);
    for (const x of cap.conversations.slice(0, 5)) {
      const a = formatHostPort(x.a, x.aPort);
      const b = formatHostPort(x.b, x.bPort);
      const extra =
        x.proto === 'tcp'
          ? `  ${x.state}${x.rttMs != null ? `  rtt ${x.rttMs} ms` : ''}${x.retransmissions ? `  retx ${x.retransmissions}` : ''}${x.mssClamp ? `  MSS ${x.mssClamp.from}→${x.mssClamp.to}` : ''}`
          : '';
      out.push(`  ${x.proto.toUpperCase()} ${a} ⇄ ${b}  ${x.packetsAB}/${x.packetsBA} ${t(lang, 'pcap.packets')}  ${fmtBytes(x.bytesAB + x.bytesBA)}${extra}`);
    }
  }
  if (cap.warnings.length > 0) {
    out.push('', `${c.bold(c.yellow(t(lang, 'pcap.warnings')))}:`);
    for (const w of cap.warnings) out.push(`  ${w}`);
  }
  return out.join('\n') + '\n';
}

const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

export function register(program: Command): void {
  program
    .command('pcap')
    .description('read a tcpdump/Wireshark capture (pcap, pcapng; - for standard input) and name the fault, with the packets as evidence')
    .argument('<file>', 'capture file, or - to read standard input (tcpdump -w - | netdx pcap -)')
    .option('--filter <expr>', 'only packets matching a BPF-like expression: host, net, port, portrange, src/dst, tcp, udp, icmp, icmp6, ip, ip6, arp, and/or/not')
    .option('--target <host[:port]>', 'focus the findings on this host (name or address) and port')
    .option('--expect-ip <ip>', 'the address the target name should resolve to (repeatable): DNS-005 when answers differ', collect)
    .option('--json', 'print the JSON report (netdx.report/v1 with capture)')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (file: string, raw: RawPcapOptions) => {
      const o = parsePcapOptions(raw);
      // The JSON report keeps English text beside each message id, whatever the reader's language.
      const report = await analyzeCapture(file, o.json ? { ...o, lang: 'en' } : o);
      if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write(renderPcapText(report, o.lang, colorEnabled(process.stdout)));
      process.exitCode = exitCodeOf(report);
    });
}

export { EXIT };
