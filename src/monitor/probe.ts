/**
 * GET /probe?target=…&module=…: the blackbox_exporter multi-target pattern, so a Prometheus job
 * written for blackbox can point at netdx. Modules icmp, tcp_connect, tls, http_2xx; series with
 * blackbox's names and meanings (prober/handler.go, icmp.go, tcp.go, http.go, utils.go of
 * prometheus/blackbox_exporter, read, not copied). A failed probe adds netdx_fault_info: the
 * configured target's last diagnosis, or a diagnosis made now within the probe's time.
 * Differences (docs/monitor.md): one address (the resolver's first), no redirects followed.
 */
import { Registry, Gauge } from 'prom-client';
import { parseTarget, type Target } from '../model/target.js';
import type { Lang } from '../model/layer.js';
import type { Report } from '../model/report.js';
import type { DiagnoseOptions } from '../model/options.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import type { CheckFn } from './checks.js';
import { mt } from './messages.js';

export const MODULES = ['icmp', 'tcp_connect', 'tls', 'http_2xx'] as const;
export type ProbeModule = (typeof MODULES)[number];

export interface ProbeRequest {
  target: string | null;
  module: string | null;
  /** X-Prometheus-Scrape-Timeout-Seconds, when Prometheus sent it. */
  scrapeTimeout: string | null;
}

export interface ProbeDeps {
  check: CheckFn;
  /** A configured target with this input or name: its options and last report. */
  configured(input: string): { options: DiagnoseOptions; report: Report | null } | null;
  diagnose(target: Target, options: DiagnoseOptions): Promise<Report>;
  lang: Lang;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** FNV-1a (32 bit) of the address bytes, as blackbox's probe_ip_addr_hash. */
export function ipHash(address: string): number {
  const bytes: number[] = [];
  if (address.includes(':')) {
    const [head, tail] = address.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    let groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
    // an embedded IPv4 tail (::ffff:1.2.3.4)
    const last = groups[groups.length - 1] ?? '';
    if (last.includes('.')) {
      const v4 = last.split('.').map(Number);
      groups = [...groups.slice(0, -1), ((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16)];
      if (groups.length < 8) groups = [...groups.slice(0, -2), ...new Array<string>(8 - groups.length).fill('0'), ...groups.slice(-2)];
    }
    for (const g of groups) {
      const n = parseInt(g || '0', 16);
      bytes.push((n >> 8) & 0xff, n & 0xff);
    }
  } else for (const p of address.split('.')) bytes.push(Number(p) & 0xff);
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function targetFor(module: ProbeModule, text: string): Target {
  switch (module) {
    case 'icmp':
      return parseTarget(text, { protocol: 'icmp' });
    case 'tcp_connect': {
      const t = parseTarget(text);
      if (t.port === null) throw new Error('expected HOST:PORT');
      return { ...t, protocol: 'tcp' };
    }
    case 'tls': {
      const t = parseTarget(text);
      if (t.port === null) throw new Error('expected HOST:PORT');
      return { ...t, protocol: 'tls' };
    }
    case 'http_2xx':
      return parseTarget(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`);
  }
}

/** Blackbox's timeout: the scrape timeout minus 0.5 s; without the header, 10 s (blackbox: 119.5 s). */
export function probeTimeoutSeconds(header: string | null): number {
  const v = header === null ? NaN : Number(header);
  if (!Number.isFinite(v) || v <= 0) return 10;
  return Math.max(0.1, v - 0.5);
}

export async function handleProbe(req: ProbeRequest, deps: ProbeDeps): Promise<HttpAnswer> {
  const text = (s: string, status = 400): HttpAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body: s + '\n' });
  const moduleName = req.module ?? 'http_2xx';
  if (!(MODULES as readonly string[]).includes(moduleName)) return text(mt(deps.lang, 'probe.unknownModule', { module: moduleName }));
  const module = moduleName as ProbeModule;
  if (!req.target) return text(mt(deps.lang, 'probe.noTarget'));
  let target: Target;
  try {
    target = targetFor(module, req.target);
  } catch (err) {
    return text(mt(deps.lang, 'probe.badTarget', { target: req.target, why: err instanceof Error ? err.message : String(err) }));
  }
  const timeoutS = probeTimeoutSeconds(req.scrapeTimeout);
  const conf = deps.configured(req.target);
  const options: DiagnoseOptions = conf?.options ?? { ...DEFAULT_OPTIONS, lang: deps.lang };
  const t0 = performance.now();
  const res = await deps.check({ target, options, timeoutMs: timeoutS * 1000 });
  const probeSeconds = (performance.now() - t0) / 1000;
  const success = module === 'http_2xx' ? res.address !== null && typeof res.httpStatus === 'number' && res.httpStatus >= 200 && res.httpStatus < 300 && (!res.reason || res.ok) : res.ok;

  const reg = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge => new Gauge({ name, help, labelNames, registers: [reg] });
  // The registration order follows blackbox's output closely enough for humans; Prometheus does not care.
  if (res.address !== null || res.signature === 'dns' || res.signature.startsWith('dns')) {
    gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds').set(res.resolveMs / 1000);
  }
  if (res.address !== null) {
    gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6').set(res.address.includes(':') ? 6 : 4);
    gauge('probe_ip_addr_hash', "Specifies the hash of IP address. It's useful to detect if the IP address changes.").set(ipHash(res.address));
  }
  if (module === 'icmp') {
    const d = gauge('probe_icmp_duration_seconds', 'Duration of icmp request by phase', ['phase']);
    d.set({ phase: 'resolve' }, res.resolveMs / 1000);
    d.set({ phase: 'setup' }, (res.phases?.setup ?? 0) / 1000);
    d.set({ phase: 'rtt' }, res.ok && typeof res.rttMs === 'number' ? res.rttMs / 1000 : 0);
  }
  const tlsSeries = (): void => {
    if (typeof res.certNotAfter !== 'number' || !res.ok) return;
    gauge('probe_ssl_earliest_cert_expiry', 'Returns last SSL chain expiry in unixtime').set(Math.floor(res.certNotAfter / 1000));
    gauge('probe_ssl_last_chain_expiry_timestamp_seconds', 'Returns last SSL chain expiry in timestamp').set(Math.floor(res.certNotAfter / 1000));
    if (res.tlsVersion) gauge('probe_tls_version_info', 'Returns the TLS version used or NaN when unknown', ['version']).set({ version: res.tlsVersion }, 1);
  };
  if (module === 'tls') tlsSeries();
  if (module === 'http_2xx') {
    const d = gauge('probe_http_duration_seconds', 'Duration of http request by phase, summed over all redirects', ['phase']);
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const) {
      const ms = phase === 'resolve' ? res.resolveMs : (res.phases?.[phase] ?? 0);
      d.set({ phase }, ms / 1000);
    }
    gauge('probe_http_content_length', 'Length of http content response').set(res.httpContentLength ?? 0);
    gauge('probe_http_redirects', 'The number of redirects').set(0);
    gauge('probe_http_ssl', 'Indicates if SSL was used for the final redirect').set(target.protocol === 'https' && res.certNotAfter != null ? 1 : 0);
    gauge('probe_http_status_code', 'Response HTTP status code').set(res.httpStatus ?? 0);
    if (res.httpVersion) gauge('probe_http_version', 'Returns the version of HTTP of the probe response').set(Number(res.httpVersion));
    gauge('probe_failed_due_to_regex', 'Indicates if probe failed due to regex').set(0);
    if (target.protocol === 'https') tlsSeries();
  }
  gauge('probe_success', 'Displays whether or not the probe was a success').set(success ? 1 : 0);
  if (!success) {
    let report = conf?.report ?? null;
    if (!report) {
      const left = Math.max(1000, Math.floor(timeoutS * 1000 - (performance.now() - t0)));
      report = await deps.diagnose(target, { ...options, timeoutMs: left }).catch(() => null);
    }
    if (report && report.findings.length > 0) {
      const fi = gauge('netdx_fault_info', 'One series per finding of the diagnosis of the failed probe (value 1); primary="true" marks the root cause.', [
        'code',
        'slug',
        'layer',
        'severity',
        'primary',
      ]);
      for (const f of report.findings) fi.set({ code: f.code, slug: f.slug, layer: f.layer, severity: f.severity, primary: String(report.primary?.code === f.code) }, 1);
    }
  }
  gauge('probe_duration_seconds', 'Returns how long the probe took to complete in seconds').set(probeSeconds);
  gauge('probe_timeout_seconds', 'Returns how long the probe timeout is in seconds').set(timeoutS);
  return { status: 200, contentType: reg.contentType, body: await reg.metrics() };
}
