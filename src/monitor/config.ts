/**
 * The monitor's config (YAML): defaults plus a list of targets, each with any `diagnose` option
 * by its long name (`ca`, `tls-min`, `warn-days` … ; `tls_min` and `tlsMin` are accepted too).
 * Every error names the file, the line and the field, and nothing starts (tested per field).
 * Shared with the fleet agent: `parseMonitorConfig(text, file)` is pure apart from reading
 * the PEM files the options name.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { errorText, inBoth, NetdxError, type ErrorText } from '../model/errors.js';
import type { Lang } from '../model/layer.js';
import { parseTarget, shown, type Target } from '../model/target.js';
import type { DiagnoseOptions } from '../model/options.js';
import { parseDiagnoseOptions, type RawDiagnoseOptions } from '../cli/diagnose-options.js';
import { mt, type MonitorMessageKey } from './messages.js';

export interface MonitorTarget {
  /** Unique; the `target` label of every series. */
  name: string;
  /** The target as written (HOST:PORT, URL …). */
  input: string;
  target: Target;
  options: DiagnoseOptions;
  intervalMs: number;
  /** Deadline of one cheap check. */
  checkTimeoutMs: number;
  /** Consecutive failed checks before the state goes down / passed checks before it goes up. */
  downAfter: number;
  upAfter: number;
  labels: Record<string, string>;
  /** Line of the target in the file (1-based). */
  line: number;
}

export interface MonitorConfig {
  file: string;
  intervalMs: number;
  /** Full diagnoses running at once (the escalation limit). */
  concurrency: number;
  /** A target that stays failing is diagnosed again after this long (a changed check is at once). */
  rediagnoseMs: number;
  lang: Lang;
  targets: MonitorTarget[];
}

export const CONFIG_DEFAULTS = { intervalMs: 10_000, maxCheckTimeoutMs: 5_000, downAfter: 2, upAfter: 1, concurrency: 4, rediagnoseMs: 300_000 } as const;

const TOP_KEYS = ['interval', 'check-timeout', 'down-after', 'up-after', 'concurrency', 'rediagnose', 'lang', 'targets'] as const;
const TARGET_KEYS = ['name', 'target', 'interval', 'check-timeout', 'down-after', 'up-after', 'labels'] as const;
/** diagnose's options by long name → the key of RawDiagnoseOptions. */
const OPTION_KEYS: Record<string, keyof RawDiagnoseOptions> = {
  port: 'port',
  protocol: 'protocol',
  sni: 'sni',
  'expect-ip': 'expectIp',
  'expect-gateway': 'expectGateway',
  timeout: 'timeout',
  ca: 'ca',
  cert: 'cert',
  key: 'key',
  pin: 'pin',
  'tls-min': 'tlsMin',
  'tls-max': 'tlsMax',
  count: 'count',
  'warn-days': 'warnDays',
  tunnel: 'tunnel',
  'tunnel-idle': 'tunnelIdle',
  idle: 'idle',
  backlog: 'backlog',
  heartbeat: 'heartbeat',
};
const norm = (k: string): string => k.replace(/[-_]/g, '').toLowerCase();
const OPTION_BY_NORM = new Map(Object.entries(OPTION_KEYS).map(([long, raw]) => [norm(long), { long, raw }]));
const TOP_BY_NORM = new Map(TOP_KEYS.map((k) => [norm(k), k]));
const TARGET_BY_NORM = new Map(TARGET_KEYS.map((k) => [norm(k), k]));

/** A config error: usage (64) for content, cannot (3) for a file that cannot be read. */
export class ConfigError extends NetdxError {
  constructor(message: ErrorText, kind: 'E_USAGE' | 'E_READ' = 'E_USAGE') {
    super(kind, message);
    this.name = 'ConfigError';
  }
}

/** '10s', '500ms', '2m', '1h' or a bare number of seconds → ms, or null. */
export function parseDurationMs(text: string): number | null {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['target', 'code', 'slug', 'layer', 'severity', 'primary', 'job', 'instance']);
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Reads and validates a config file. Throws ConfigError with `file:line: field …` in `lang`. */
export function loadMonitorConfig(file: string, lang: Lang): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      inBoth((l) => mt(l, 'cfg.read', { file: shown(file), code })),
      'E_READ',
    );
  }
  return parseMonitorConfig(text, file, lang);
}

/** Reads one YAML document's values; every failure throws a ConfigError naming `file:line` in `lang`. */
interface Reader {
  lang: Lang;
  lineOf(n: Node | Pair | null | undefined): number;
  /** `vars` may depend on the language (an error's own text inside the message). */
  fail(line: number, key: MonitorMessageKey, vars?: Record<string, string | number> | ((lang: Lang) => Record<string, string | number>)): never;
  /** An option's own parse error, as `file:line: key: why` (a file it cannot read stays E_READ). */
  rethrow(err: unknown, line: number, key: string): never;
  scalarText(pair: Pair, key: string): string;
  duration(pair: Pair, key: string, min: number, max: number): number;
  count(pair: Pair, key: string, min: number, max: number): number;
}

function reader(lc: LineCounter, file: string, lang: Lang): Reader {
  const lineOf = (n: Node | Pair | null | undefined): number => {
    const node = n && 'range' in n ? n : n && 'key' in n ? (n.key as Node | null) : null;
    const off = node?.range?.[0];
    return off === undefined ? 1 : lc.linePos(off).line;
  };
  const where = (line: number): string => `${shown(file)}:${line}`;
  const fail = (line: number, key: MonitorMessageKey, vars: Record<string, string | number> | ((lang: Lang) => Record<string, string | number>) = {}): never => {
    throw new ConfigError(inBoth((l) => mt(l, key, { where: where(line), ...(typeof vars === 'function' ? vars(l) : vars) })));
  };
  const rethrow = (err: unknown, line: number, key: string): never => {
    const kind = err instanceof NetdxError && err.code === 'E_READ' ? 'E_READ' : 'E_USAGE';
    throw new ConfigError(
      inBoth((l) => mt(l, 'cfg.option', { where: where(line), key, why: errorText(err, l) })),
      kind,
    );
  };
  const scalarText = (pair: Pair, key: string): string => {
    const v = pair.value;
    if (isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')) return String(v.value);
    return fail(lineOf(pair.value as Node), 'cfg.string', { key });
  };
  const duration = (pair: Pair, key: string, min: number, max: number): number => {
    const s = scalarText(pair, key);
    const ms = parseDurationMs(s);
    if (ms === null || ms < min || ms > max) fail(lineOf(pair.value as Node), 'cfg.duration', { key, value: shown(s), min: fmtMs(min), max: fmtMs(max) });
    return ms!;
  };
  const count = (pair: Pair, key: string, min: number, max: number): number => {
    const s = scalarText(pair, key);
    if (!/^[0-9]+$/.test(s) || Number(s) < min || Number(s) > max) fail(lineOf(pair.value as Node), 'cfg.count', { key, value: shown(s), min, max });
    return Number(s);
  };
  return { lang, lineOf, fail, rethrow, scalarText, duration, count };
}

const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));

export function parseMonitorConfig(text: string, file: string, lang: Lang): MonitorConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const r = reader(lc, file, lang);
  const yamlErr = doc.errors[0];
  if (yamlErr) r.fail(yamlErr.linePos?.[0].line ?? lc.linePos(yamlErr.pos[0]).line, 'cfg.yaml', { why: yamlErr.message.split('\n')[0] ?? '' });
  const root = doc.contents;
  if (!isMap(root)) return r.fail(r.lineOf(root as Node | null), 'cfg.notMap');
  const top = readTopLevel(root as YAMLMap, file, r);
  const seq = top.targetsPair?.value;
  if (!top.targetsPair || !isSeq(seq) || seq.items.length === 0) return r.fail(top.targetsPair ? r.lineOf(top.targetsPair) : 1, 'cfg.noTargets');
  const firstLine = new Map<string, number>();
  for (const item of seq.items) top.cfg.targets.push(buildTarget(readTargetFields(item, top, firstLine, r), top.cfg.lang, r));
  return top.cfg;
}

/** The top level of the file: the config (targets still empty), the target defaults it sets, and the `targets` entry. */
interface TopLevel {
  cfg: MonitorConfig;
  checkTimeoutMs: number | null;
  downAfter: number;
  upAfter: number;
  targetsPair: Pair | null;
}

function readTopLevel(root: YAMLMap, file: string, r: Reader): TopLevel {
  const top: TopLevel = {
    cfg: { file, intervalMs: CONFIG_DEFAULTS.intervalMs, concurrency: CONFIG_DEFAULTS.concurrency, rediagnoseMs: CONFIG_DEFAULTS.rediagnoseMs, lang: r.lang, targets: [] },
    checkTimeoutMs: null,
    downAfter: CONFIG_DEFAULTS.downAfter,
    upAfter: CONFIG_DEFAULTS.upAfter,
    targetsPair: null,
  };
  const cfg = top.cfg;
  for (const pair of root.items) {
    const k = keyOf(pair);
    const known = TOP_BY_NORM.get(norm(k));
    if (!known) r.fail(r.lineOf(pair), 'cfg.unknownKey', { key: shown(k), known: TOP_KEYS.join(', ') });
    switch (known) {
      case 'interval':
        cfg.intervalMs = r.duration(pair, k, 1000, 3_600_000);
        break;
      case 'check-timeout':
        top.checkTimeoutMs = r.duration(pair, k, 100, 60_000);
        break;
      case 'down-after':
        top.downAfter = r.count(pair, k, 1, 100);
        break;
      case 'up-after':
        top.upAfter = r.count(pair, k, 1, 100);
        break;
      case 'concurrency':
        cfg.concurrency = r.count(pair, k, 1, 256);
        break;
      case 'rediagnose':
        cfg.rediagnoseMs = r.duration(pair, k, 10_000, 86_400_000);
        break;
      case 'lang': {
        const v = r.scalarText(pair, k);
        if (v !== 'en' && v !== 'zh') r.fail(r.lineOf(pair.value as Node), 'cfg.lang', { value: shown(v) });
        cfg.lang = v as Lang;
        break;
      }
      case 'targets':
        top.targetsPair = pair;
        break;
    }
  }
  return top;
}

/** One entry of `targets` as written, before its options and its target are parsed together. */
interface TargetFields {
  line: number;
  name: string | null;
  input: string | null;
  inputLine: number;
  intervalMs: number;
  checkTimeoutMs: number | null;
  downAfter: number;
  upAfter: number;
  labels: Record<string, string>;
  raw: RawDiagnoseOptions;
  /** Where each diagnose option was written, to name the line of an error found only in combination. */
  fieldLine: Map<keyof RawDiagnoseOptions, { line: number; long: string }>;
}

/** Reads one target entry; `firstLine` (name → line) finds duplicate names across entries. */
function readTargetFields(item: unknown, top: TopLevel, firstLine: Map<string, number>, r: Reader): TargetFields {
  const line = r.lineOf(item as Node);
  if (!isMap(item)) r.fail(line, 'cfg.notMap');
  const f: TargetFields = {
    line,
    name: null,
    input: null,
    inputLine: line,
    intervalMs: top.cfg.intervalMs,
    checkTimeoutMs: top.checkTimeoutMs,
    downAfter: top.downAfter,
    upAfter: top.upAfter,
    labels: {},
    raw: {},
    fieldLine: new Map(),
  };
  for (const pair of (item as YAMLMap).items) readTargetPair(pair, f, firstLine, r);
  return f;
}

/**
 * diagnose options by long name (as a target of the config writes them, or a fleet command sends
 * them) → RawDiagnoseOptions; `expect-ip` takes a comma-separated list. An unknown name throws.
 */
export function rawOptionsByLongName(opts: Record<string, string | number | boolean>): RawDiagnoseOptions {
  const raw: RawDiagnoseOptions = {};
  for (const [k, v] of Object.entries(opts)) {
    const opt = OPTION_BY_NORM.get(norm(k));
    if (!opt) throw new ConfigError(inBoth((l) => mt(l, 'cfg.unknownKey', { where: 'options', key: shown(k), known: Object.keys(OPTION_KEYS).join(', ') })));
    if (opt.raw === 'expectIp')
      raw.expectIp = String(v)
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    else (raw as Record<string, string>)[opt.raw] = String(v);
  }
  return raw;
}

function readTargetPair(pair: Pair, f: TargetFields, firstLine: Map<string, number>, r: Reader): void {
  const k = keyOf(pair);
  const own = TARGET_BY_NORM.get(norm(k));
  const opt = OPTION_BY_NORM.get(norm(k));
  const pl = r.lineOf(pair);
  if (own === 'name') {
    f.name = r.scalarText(pair, k);
    if (!NAME.test(f.name)) r.fail(pl, 'cfg.name', { value: shown(f.name) });
    const first = firstLine.get(f.name);
    if (first !== undefined) r.fail(pl, 'cfg.duplicate', { value: f.name, line: first });
    firstLine.set(f.name, pl);
  } else if (own === 'target') {
    f.input = r.scalarText(pair, k);
    f.inputLine = pl;
  } else if (own === 'interval') f.intervalMs = r.duration(pair, k, 1000, 3_600_000);
  else if (own === 'check-timeout') f.checkTimeoutMs = r.duration(pair, k, 100, 60_000);
  else if (own === 'down-after') f.downAfter = r.count(pair, k, 1, 100);
  else if (own === 'up-after') f.upAfter = r.count(pair, k, 1, 100);
  else if (own === 'labels') readLabels(pair, pl, f.labels, r);
  else if (opt) readOption(pair, k, opt, pl, f, r);
  else r.fail(pl, 'cfg.unknownKey', { key: shown(k), known: [...TARGET_KEYS, ...Object.keys(OPTION_KEYS)].join(', ') });
}

function readLabels(pair: Pair, pl: number, labels: Record<string, string>, r: Reader): void {
  if (!isMap(pair.value)) r.fail(pl, 'cfg.labels');
  for (const lp of (pair.value as YAMLMap).items) {
    const ln = keyOf(lp);
    if (!LABEL_NAME.test(ln) || ln.startsWith('__') || RESERVED_LABELS.has(ln)) r.fail(r.lineOf(lp), 'cfg.labelName', { key: shown(ln) });
    labels[ln] = r.scalarText(lp, `labels.${ln}`);
  }
}

/** One diagnose option of a target, checked alone so that an error names its own line. */
function readOption(pair: Pair, k: string, opt: { long: string; raw: keyof RawDiagnoseOptions }, pl: number, f: TargetFields, r: Reader): void {
  const raw = f.raw;
  if (opt.raw === 'expectIp') {
    const v = pair.value;
    raw.expectIp = isSeq(v) ? v.items.map((x) => (isScalar(x) ? String(x.value) : '')) : [r.scalarText(pair, k)];
  } else (raw as Record<string, string>)[opt.raw] = r.scalarText(pair, k);
  f.fieldLine.set(opt.raw, { line: pl, long: opt.long });
  // Each option alone first, so an error names its own line (cert/key only make sense together).
  if (opt.raw !== 'cert' && opt.raw !== 'key') {
    try {
      parseDiagnoseOptions({ [opt.raw]: (raw as Record<string, unknown>)[opt.raw] } as RawDiagnoseOptions, r.lang);
    } catch (err) {
      r.rethrow(err, pl, opt.long);
    }
  }
}

/** A target entry's options parsed together (in the config's `lang`) and its target parsed with them. */
function buildTarget(f: TargetFields, cfgLang: Lang, r: Reader): MonitorTarget {
  if (f.name === null) r.fail(f.line, 'cfg.missing', { key: 'name' });
  if (f.input === null) r.fail(f.line, 'cfg.missing', { key: 'target' });
  let parsed: ReturnType<typeof parseDiagnoseOptions>;
  try {
    parsed = parseDiagnoseOptions({ ...f.raw, lang: cfgLang }, cfgLang);
  } catch (err) {
    const at = f.fieldLine.get('cert') ?? f.fieldLine.get('tlsMin') ?? { line: f.line, long: 'cert' };
    r.rethrow(err, at.line, at.long);
  }
  let target: Target;
  try {
    target = parseTarget(f.input!, parsed!.target);
  } catch (err) {
    r.fail(f.inputLine, 'cfg.target', (l) => ({ why: errorText(err, l) }));
  }
  return {
    name: f.name!,
    input: f.input!,
    target: target!,
    options: parsed!.options,
    intervalMs: f.intervalMs,
    checkTimeoutMs: f.checkTimeoutMs ?? Math.min(CONFIG_DEFAULTS.maxCheckTimeoutMs, f.intervalMs),
    downAfter: f.downAfter,
    upAfter: f.upAfter,
    labels: f.labels,
    line: f.line,
  };
}

function fmtMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
