/** `netdx diagnose TARGET`: walk the layers, name the root cause, print the fix. */
import type { Command } from 'commander';
import { EXIT } from '../model/errors.js';
import { parseTarget } from '../model/target.js';
import { diagnose, type ProgressFn } from '../diagnose/engine.js';
import { detectLang, t } from '../report/i18n.js';
import { colorEnabled, renderText } from '../report/text.js';
import { renderMarkdown } from '../report/markdown.js';
import { parseDiagnoseOptions, type RawDiagnoseOptions } from './diagnose-options.js';
import type { Report } from '../model/report.js';
import type { Lang } from '../model/layer.js';

const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

export function exitCodeOf(r: Report): number {
  // unknown: a layer of the target's path could not be judged and no finding explains it (decision 010).
  return r.verdict === 'ok' ? EXIT.ok : r.verdict === 'degraded' ? EXIT.degraded : r.verdict === 'unknown' ? EXIT.cannot : EXIT.fault;
}

/** `--capture`: stop the recorder and add the capture's findings (or say why there is no capture). */
async function withCapture(report: Report, rec: import('../pcap/capture.js').Recorder, lang: Lang, expectIp: string[]): Promise<Report> {
  if (!rec.ok) {
    process.stderr.write(`netdx: ${t(lang, 'pcap.captureSkipped', { why: rec.reason })}\n`);
    return report;
  }
  await rec.stop();
  const { addCapture } = await import('../pcap/capture.js');
  const { report: out, warning } = addCapture(report, rec.file, lang, expectIp);
  if (warning) process.stderr.write(`netdx: ${t(lang, 'pcap.captureSkipped', { why: warning })}\n`);
  else process.stderr.write(`netdx: ${t(lang, 'pcap.captureAdded', { file: rec.file, packets: out.capture?.packets ?? 0 })}\n`);
  return out;
}

export function register(program: Command): void {
  program
    .command('diagnose')
    .description('diagnose why TARGET cannot be reached: host → dns → network → tunnel → transport → tls → app')
    .argument('<target>', 'HOST, HOST:PORT, [IPv6]:PORT, or tcp:// tls:// http:// https:// URL')
    .option('-p, --port <port>', 'service port (adds TCP/TLS checks to a bare host)')
    .option('--protocol <proto>', 'tcp | tls | http | https | icmp')
    .option('--sni <name>', 'TLS server name to send (default: the target host name)')
    .option('--expect-ip <ip>', 'the address the name should resolve to (repeatable)', collect)
    .option('--expect-gateway <ip>', 'the gateway the route should use')
    .option('--timeout <duration>', 'overall time budget, e.g. 10s (default 10s)')
    .option('--ca <file>', 'PEM file of CA certificates to trust instead of the system store')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS')
    .option('--key <file>', 'client private key (PEM) for mutual TLS')
    .option('--pin <pin>', 'expected certificate: sha256:<hex fingerprint> or sha256/<base64 SPKI>')
    .option('--tls-min <version>', 'lowest TLS version to offer (1.0 … 1.3)')
    .option('--tls-max <version>', 'highest TLS version to offer (1.0 … 1.3)')
    .option('--count <n>', 'ICMP echo requests (default 10, 5 ms apart: enough to see loss)')
    .option('--warn-days <days>', 'certificate expiry warning window (default 30)')
    .option('--tunnel <dev>', 'the tunnel interface that should carry the target (walks the tunnel layer whatever the route says)')
    .option('--tunnel-idle <duration>', 'also run the tunnel idle test (VPN-007) up to this idle time, e.g. 60s')
    .option('--idle <max>', 'idle-hold test: how long idle connections survive, up to MAX (e.g. 300s) — TCP-006')
    .option('--backlog <n>', 'accept-backlog test: N parallel connects — TCP-005')
    .option('--heartbeat <spec>', "application heartbeat, e.g. 'send=PING;expect=PONG;every=10s[;count=3][;timeout=2s]' — APP-001")
    .option('--responder <host:port>', 'a netdx responder on or next to the server: NAT, MSS clamping, loss per direction, return-path MTU, clock offset')
    .option('--token <t>', 'the responder token (or NETDX_RESPONDER_TOKEN)')
    .option('--json', 'print the JSON report (netdx.report/v1)')
    .option('--format <fmt>', 'text | json | markdown')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .option('--capture <file>', "record the diagnosis's own packets (tcpdump) to FILE and add what they show to the report")
    .action(async (input: string, raw: RawDiagnoseOptions & { capture?: string }) => {
      const { options, target: topts, format } = parseDiagnoseOptions(raw, detectLang());
      const target = parseTarget(input, topts);
      const live = format === 'text' && !!process.stderr.isTTY;
      const progress: ProgressFn = live
        ? (layer, phase) => {
            if (phase === 'start') process.stderr.write(`\r\x1b[2K${t(options.lang, 'report.progress', { layer: t(options.lang, `layer.${layer}`) })}`);
          }
        : () => {};
      // Loaded lazily: commands that send no packets (faults, collect) never load the probes.
      const { liveDeps } = await import('../diagnose/live.js');
      const rec = raw.capture !== undefined ? await (await import('../pcap/capture.js')).startRecorder(raw.capture) : null;
      // The JSON report keeps English text beside each message id, whatever the reader's language.
      let report = await diagnose(target, format === 'json' ? { ...options, lang: 'en' } : options, liveDeps(), progress);
      if (rec) report = await withCapture(report, rec, options.lang, options.expectIp ?? []);
      if (live) process.stderr.write('\r\x1b[2K');
      if (format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (format === 'markdown') process.stdout.write(renderMarkdown(report, options.lang) + '\n');
      else process.stdout.write(renderText(report, { lang: options.lang, color: colorEnabled(process.stdout) }));
      process.exitCode = exitCodeOf(report);
    });
}
