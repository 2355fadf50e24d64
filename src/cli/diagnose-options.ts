/**
 * Validation of `netdx diagnose` options: defaults applied and every value checked once, at the
 * edge. Each bad value gives one line naming the option and what was expected (table-tested).
 */
import { parseHostPort } from '../responder/address.js';
import { inputError, usageError, type NetdxError } from '../model/errors.js';
import { MAX_BYTES, readInputFile } from '../model/input-file.js';
import type { Lang } from '../model/layer.js';
import { ipFamilyOf, parsePort, PROTOCOLS, type Protocol, type TargetOptions } from '../model/target.js';
import { DEFAULT_OPTIONS, type DiagnoseOptions } from '../model/options.js';
import { parseHeartbeat } from '../probes/heartbeat.js';

export interface RawDiagnoseOptions {
  port?: string;
  protocol?: string;
  sni?: string;
  expectIp?: string[];
  expectGateway?: string;
  timeout?: string;
  json?: boolean;
  format?: string;
  lang?: string;
  ca?: string;
  cert?: string;
  key?: string;
  pin?: string;
  tlsMin?: string;
  tlsMax?: string;
  count?: string;
  warnDays?: string;
  tunnel?: string;
  tunnelIdle?: string;
  idle?: string;
  backlog?: string;
  heartbeat?: string;
  responder?: string;
  token?: string;
}

export type OutputFormat = 'text' | 'json' | 'markdown';

const TLS_VERSIONS = {
  '1.0': 'TLSv1',
  '1': 'TLSv1',
  tlsv1: 'TLSv1',
  'tlsv1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  'tlsv1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  'tlsv1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
  'tlsv1.3': 'TLSv1.3',
} as const;

/** '5s', '800ms', '2m' or a bare number of seconds → ms. */
export function parseDuration(text: string, what: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw usageError({ en: `${what} '${text}': expected a duration like 5s, 800ms or 2m`, zh: `${what} '${text}'：应为时长，如 5s、800ms 或 2m` });
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms >= 100 && ms <= 600_000)) throw usageError({ en: `${what} '${text}': expected between 100ms and 10m`, zh: `${what} '${text}'：应在 100ms 到 10m 之间` });
  return ms;
}

export function parseLang(text: string | undefined, fallback: Lang): Lang {
  if (text === undefined) return fallback;
  if (text === 'en' || text === 'zh') return text;
  throw usageError({ en: `--lang '${text}': expected en or zh`, zh: `--lang '${text}'：应为 en 或 zh` });
}

/** A usage error `OPTION 'VALUE': expected WHAT`, in en and zh. */
const expected = (option: string, value: string, en: string, zh: string): NetdxError => usageError({ en: `${option} '${value}': expected ${en}`, zh: `${option} '${value}'：应为 ${zh}` });

function parseTlsVersion(text: string, what: string): NonNullable<DiagnoseOptions['tlsMin']> {
  const v = (TLS_VERSIONS as Record<string, DiagnoseOptions['tlsMin']>)[text.toLowerCase()];
  if (!v) throw expected(what, text, 'one of 1.0, 1.1, 1.2, 1.3 (or TLSv1.2 …)', '1.0、1.1、1.2、1.3 之一（或 TLSv1.2 …）');
  return v;
}

export function parsePin(text: string): string {
  const t = text.trim();
  if (/^sha256\/[A-Za-z0-9+/]{43}=$/.test(t)) return t;
  const hex = /^sha256:([0-9a-fA-F:]+)$/.exec(t)?.[1]?.replace(/:/g, '');
  if (hex && hex.length === 64) return `sha256:${hex.toUpperCase()}`;
  throw expected('--pin', text, 'sha256:<64 hex digits> (certificate fingerprint) or sha256/<base64> (SPKI pin)', 'sha256:<64 位十六进制>（证书指纹）或 sha256/<base64>（SPKI 固定值）');
}

/** Reads a PEM file: unreadable → exit 3; not a regular file, over 4 MiB or not PEM → exit 64 (model/input-file.ts). */
export function readPem(path: string, what: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const text = readInputFile(path, { what, maxBytes: MAX_BYTES.pem }).toString('utf8');
  const re = kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/ : /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;
  if (!re.test(text))
    throw inputError({
      en: `${what} '${path}': not a PEM ${kind === 'CERTIFICATE' ? 'certificate' : 'private key'} file (expected -----BEGIN ${kind}-----)`,
      zh: `${what} '${path}'：不是 PEM ${kind === 'CERTIFICATE' ? '证书' : '私钥'}文件（应含 -----BEGIN ${kind}-----）`,
    });
  return text;
}

/** --ca, --cert/--key, --pin, --tls-min/--tls-max: the files read, every value checked. */
function tlsOptions(raw: RawDiagnoseOptions, options: DiagnoseOptions): void {
  if (raw.ca !== undefined) {
    options.caFile = raw.ca;
    options.ca = readPem(raw.ca, '--ca', 'CERTIFICATE');
  }
  if ((raw.cert === undefined) !== (raw.key === undefined))
    throw usageError({ en: '--cert and --key: give both (client certificate and its private key) or neither', zh: '--cert 和 --key：要么都给（客户端证书及其私钥），要么都不给' });
  if (raw.cert !== undefined && raw.key !== undefined) {
    options.certFile = raw.cert;
    options.cert = readPem(raw.cert, '--cert', 'CERTIFICATE');
    options.keyFile = raw.key;
    options.key = readPem(raw.key, '--key', 'PRIVATE KEY');
  }
  if (raw.pin !== undefined) options.pin = parsePin(raw.pin);
  if (raw.tlsMin !== undefined) options.tlsMin = parseTlsVersion(raw.tlsMin, '--tls-min');
  if (raw.tlsMax !== undefined) options.tlsMax = parseTlsVersion(raw.tlsMax, '--tls-max');
  if (options.tlsMin && options.tlsMax && options.tlsMin > options.tlsMax)
    throw usageError({ en: `--tls-min ${options.tlsMin} is above --tls-max ${options.tlsMax}`, zh: `--tls-min ${options.tlsMin} 高于 --tls-max ${options.tlsMax}` });
}

export function parseDiagnoseOptions(raw: RawDiagnoseOptions, defaultLang: Lang): { options: DiagnoseOptions; target: TargetOptions; format: OutputFormat } {
  const options: DiagnoseOptions = { ...DEFAULT_OPTIONS, lang: parseLang(raw.lang, defaultLang) };
  const target: TargetOptions = {};
  if (raw.port !== undefined) target.port = parsePort(raw.port, '--port');
  if (raw.protocol !== undefined) {
    const p = raw.protocol.toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(p)) throw expected('--protocol', raw.protocol, `one of ${PROTOCOLS.join(', ')}`, `${PROTOCOLS.join('、')} 之一`);
    target.protocol = p as Protocol;
  }
  if (raw.timeout !== undefined) options.timeoutMs = parseDuration(raw.timeout, '--timeout');
  if (raw.sni !== undefined) {
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(raw.sni)) throw expected('--sni', raw.sni, 'a host name', '主机名');
    options.sni = raw.sni;
  }
  if (raw.expectIp && raw.expectIp.length > 0) {
    const ips = raw.expectIp
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    for (const ip of ips) if (!ipFamilyOf(ip)) throw expected('--expect-ip', ip, 'an IPv4 or IPv6 address', 'IPv4 或 IPv6 地址');
    options.expectIp = ips;
  }
  if (raw.expectGateway !== undefined) {
    if (!ipFamilyOf(raw.expectGateway)) throw expected('--expect-gateway', raw.expectGateway, 'an IPv4 or IPv6 address', 'IPv4 或 IPv6 地址');
    options.expectGateway = raw.expectGateway;
  }
  tlsOptions(raw, options);
  if (raw.count !== undefined) {
    if (!/^[0-9]+$/.test(raw.count) || Number(raw.count) < 1 || Number(raw.count) > 100) throw expected('--count', raw.count, 'a number from 1 to 100', '1 到 100 之间的数');
    options.pingCount = Number(raw.count);
  }
  if (raw.warnDays !== undefined) {
    if (!/^[0-9]+$/.test(raw.warnDays)) throw expected('--warn-days', raw.warnDays, 'a number of days', '天数');
    options.certWarnDays = Number(raw.warnDays);
  }
  if (raw.tunnel !== undefined) {
    if (!/^[A-Za-z0-9_.@:-]{1,15}$/.test(raw.tunnel)) throw expected('--tunnel', raw.tunnel, 'an interface name (1–15 letters, digits, _ . - @ :)', '网卡名（1–15 个字母、数字或 _ . - @ :）');
    options.tunnel = raw.tunnel;
  }
  if (raw.tunnelIdle !== undefined) {
    const ms = parseDuration(raw.tunnelIdle, '--tunnel-idle');
    if (ms < 2000) throw expected('--tunnel-idle', raw.tunnelIdle, 'at least 2s', '至少 2s');
    options.tunnelIdleMs = ms;
  }
  if (raw.idle !== undefined) {
    const ms = parseDuration(raw.idle, '--idle');
    if (ms < 2000) throw expected('--idle', raw.idle, 'at least 2s', '至少 2s');
    options.idleMaxSec = ms / 1000;
  }
  if (raw.backlog !== undefined) {
    if (!/^[0-9]+$/.test(raw.backlog) || Number(raw.backlog) < 2 || Number(raw.backlog) > 512)
      throw expected('--backlog', raw.backlog, 'a number of parallel connects from 2 to 512', '2 到 512 之间的并行连接数');
    options.backlog = Number(raw.backlog);
  }
  if (raw.heartbeat !== undefined) options.heartbeat = parseHeartbeat(raw.heartbeat);
  if (raw.responder !== undefined) options.responder = { ...parseHostPort(raw.responder, '--responder'), token: raw.token ?? process.env.NETDX_RESPONDER_TOKEN ?? null };
  else if (raw.token !== undefined) throw usageError({ en: '--token needs --responder HOST:PORT', zh: '--token 需要 --responder HOST:PORT' });
  // Long tests extend the overall budget unless the user set one.
  if (raw.timeout === undefined) {
    const need =
      Math.max(
        options.idleMaxSec ? options.idleMaxSec * 1.3 + 3 : 0,
        options.backlog ? 9 : 0,
        options.heartbeat ? options.heartbeat.count * options.heartbeat.everySec + options.heartbeat.replySec + 3 : 0,
      ) * 1000;
    options.timeoutMs = Math.max(options.timeoutMs, Math.ceil(need));
  }
  let format: OutputFormat = 'text';
  if (raw.format !== undefined) {
    if (!['text', 'json', 'markdown'].includes(raw.format)) throw expected('--format', raw.format, 'text, json or markdown', 'text、json 或 markdown');
    format = raw.format as OutputFormat;
  }
  if (raw.json) format = 'json';
  // A TLS-only option on HOST:PORT means TLS whatever the port (HOST:1010 --ca FILE).
  const tlsOption = (
    [
      ['--ca', raw.ca],
      ['--cert', raw.cert],
      ['--key', raw.key],
      ['--pin', raw.pin],
      ['--sni', raw.sni],
      ['--tls-min', raw.tlsMin],
      ['--tls-max', raw.tlsMax],
    ] as const
  ).find(([, v]) => v !== undefined)?.[0];
  if (tlsOption) target.tlsOption = tlsOption;
  return { options, target, format };
}
