/**
 * Test fixtures for rules: a RuleContext builder and one builder per observation kind with healthy
 * defaults (lab addresses only). Every builder takes a partial override, so a test states only what
 * matters for its case. Used by the rule tests (and by anyone testing a consumer of findings).
 */
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, type DiagnoseOptions } from '../model/options.js';
import type { Lang } from '../model/layer.js';
import { observation, type IcmpError, type Observation, type ObservationData } from '../model/observation.js';
import type { Finding } from '../model/report.js';
import { parseTarget, type Target } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Rule, RuleContext } from './types.js';
import { noopFixes } from './fix-noop.js';
import { englishProse } from './zh-fixtures.js';
import { renderMessage, type Message } from '../model/message.js';

type D<K extends keyof ObservationData> = ObservationData[K];
type Link = D<'host.links'>['links'][number];

export const NOW = new Date('2026-11-26T08:00:00.000Z');

export interface CtxInput {
  /** What the user typed (parsed with parseTarget) or a ready Target. Default '203.0.113.10:443'. */
  target?: string | Target;
  observations?: Observation[];
  options?: Partial<DiagnoseOptions>;
  snapshot?: Snapshot | null;
  lang?: Lang;
  now?: Date;
}

/** A RuleContext for a rule test. */
export function ctx(input: CtxInput = {}): RuleContext {
  const target = typeof input.target === 'object' ? input.target : parseTarget(input.target ?? '203.0.113.10:443');
  const lang = input.lang ?? 'en';
  return {
    target,
    options: { ...DEFAULT_OPTIONS, lang, ...input.options },
    observations: input.observations ?? [],
    snapshot: input.snapshot ?? null,
    lang,
    now: input.now ?? NOW,
  };
}

/** The zh texts of a finding a user reads, labelled for a failure message. */
const readTexts = (f: Finding): Array<[string, string]> => [
  ['title', f.title],
  ['explanation', f.explanation],
  ...f.evidence.map((e, i): [string, string] => [`evidence[${i}] (${e.observation})`, e.summary]),
  ...f.fix.map((x, i): [string, string] => [`fix[${i}]`, x.summary]),
];

/** `netdx diagnose --lang zh` speaks Chinese: the rule over the same context in zh holds no English prose (englishProse in ./zh-fixtures.ts). */
function assertSpeaksZh(rule: Rule, c: RuleContext): void {
  const f = rule.check({ ...c, lang: 'zh', options: { ...c.options, lang: 'zh' } });
  if (!f) return;
  const bad = readTexts(f).flatMap(([where, s]) => {
    const prose = englishProse(s);
    return prose.length === 0 ? [] : [`${rule.meta.code} ${where}: ${JSON.stringify(s)} — English: ${prose.map((p) => JSON.stringify(p)).join(', ')}`];
  });
  assert.deepEqual(bad, [], `${rule.meta.code}: English prose in zh text:\n${bad.join('\n')}`);
}

/** Every text of a finding with its message (or null when the text has none). */
const messagesOf = (f: Finding): Array<[string, string, Message | undefined]> => [
  ['title', f.title, f.messages?.title],
  ['explanation', f.explanation, f.messages?.explanation],
  ...f.evidence.map((e, i): [string, string, Message | undefined] => [`evidence[${i}] (${e.observation})`, e.summary, e.message]),
  ...f.fix.map((x, i): [string, string, Message | undefined] => [`fix[${i}]`, x.summary, x.message]),
];

/**
 * Messages are data: every text of the finding carries its message id, the id is in the catalog in
 * both languages, the text is the message rendered in the finding's language, and the params survive JSON
 * (so a script or another process renders the same text from the report).
 */
export function assertMessages(f: Finding, lang: Lang = 'en'): void {
  const bad: string[] = [];
  for (const [where, text, m] of messagesOf(f)) {
    if (!m) bad.push(`${where}: no message id for ${JSON.stringify(text)}`);
    else if (renderMessage(m, lang) !== text) bad.push(`${where}: ${m.id} renders ${JSON.stringify(renderMessage(m, lang))}, the text is ${JSON.stringify(text)}`);
    else if (renderMessage(m, 'en') === null) bad.push(`${where}: ${m.id} has no en text`);
    else if (renderMessage(m, 'zh') === null) bad.push(`${where}: ${m.id} has no zh text`);
    else if (JSON.stringify(JSON.parse(JSON.stringify(m.params))) !== JSON.stringify(m.params)) bad.push(`${where}: ${m.id} params are not plain JSON`);
  }
  assert.deepEqual(bad, [], `${f.code}: texts without a message:\n${bad.join('\n')}`);
}

/**
 * A report judged in one language and read in the other: the finding judged in each language has
 * the same texts, message by message, so each message of one renders into the other's text. Words
 * of one language hidden in a message's parameters (a rule passing `said(ctx.lang, …)` into vars)
 * fail here: the other language's rendering would show them untranslated.
 */
export function assertSameInBothLanguages(rule: Rule, c: RuleContext, f: Finding): void {
  const other = c.lang === 'zh' ? 'en' : 'zh';
  const g = rule.check({ ...c, lang: other, options: { ...c.options, lang: other } });
  assert.ok(g, `${rule.meta.code}: a finding in ${c.lang} but none in ${other}`);
  const mine = messagesOf(f);
  const theirs = messagesOf(g);
  assert.deepEqual(
    mine.map(([where]) => where),
    theirs.map(([where]) => where),
    `${rule.meta.code}: the finding has other parts in ${other}`,
  );
  const bad = mine.flatMap(([where, , m], i) => {
    const want = theirs[i]![1];
    const got = m ? renderMessage(m, other) : null;
    return got === want ? [] : [`${where}: ${m?.id ?? '(no message)'} renders ${JSON.stringify(got)} in ${other}; judged in ${other}: ${JSON.stringify(want)}`];
  });
  assert.deepEqual(bad, [], `${rule.meta.code}: a message of the ${c.lang} report reads differently in ${other}:\n${bad.join('\n')}`);
}

/**
 * Runs a rule over observations (and ctx extras); shorthand for rule.check(ctx({...})). Every
 * finding is also checked for fix commands that would change nothing on the host the fixture
 * describes (replacing a route with itself, adding one that exists, …), and the same context is
 * judged in zh, which must hold no English prose, and every text must carry its message id
 * (assertMessages): every rule's fixtures pass through here, so no rule can propose a no-op fix,
 * speak English to a Chinese reader or write a text a script cannot key on.
 */
export function run(rule: Rule, observations: Observation[], extra: Omit<CtxInput, 'observations'> = {}): Finding | null {
  const c = ctx({ ...extra, observations });
  const f = rule.check(c);
  if (f) assert.deepEqual(noopFixes(f, c), [], `${rule.meta.code}: a fix command changes nothing on this host`);
  if (f) assertMessages(f, c.lang);
  assertSpeaksZh(rule, c);
  if (f) assertSameInBothLanguages(rule, c, f);
  return f;
}

/** Asserts a finding exists, has the rule's code and no unfilled {placeholder} anywhere; returns it. */
export function assertFinding(rule: Rule, f: Finding | null, severity: Finding['severity'] = rule.meta.severity): Finding {
  assert.ok(f, `${rule.meta.code}: expected a finding`);
  assert.equal(f.code, rule.meta.code);
  assert.equal(f.slug, rule.meta.slug);
  assert.equal(f.layer, rule.meta.layer);
  assert.equal(f.severity, severity);
  assert.ok(f.evidence.length > 0, 'a finding carries evidence');
  const texts = [f.title, f.explanation, ...f.evidence.map((e) => e.summary), ...f.fix.flatMap((x) => [x.summary, x.command ?? ''])];
  for (const s of texts) assert.doesNotMatch(s, /\{[a-zA-Z0-9_]+\}/, `unfilled placeholder in: ${s}`);
  for (const x of f.fix) if (x.command) assert.doesNotMatch(x.command, /<[a-z_-]+>/i, `placeholder in command: ${x.command}`);
  return f;
}

/** The fix commands of a finding. */
export const commands = (f: Finding): string[] => f.fix.flatMap((x) => (x.command ? [x.command] : []));

// ── observation builders ──────────────────────────────────────────────

export const link = (name: string, over: Partial<Link> = {}): Link => ({
  name,
  up: true,
  carrier: true,
  mtu: 1500,
  kind: 'veth',
  loopback: false,
  addresses: [{ family: 4, address: '198.51.100.10', prefixlen: 24, scope: 'global' }],
  ...over,
});

export const loopback = (): Link => ({
  name: 'lo',
  up: true,
  carrier: true,
  mtu: 65536,
  kind: 'loopback',
  loopback: true,
  addresses: [
    { family: 4, address: '127.0.0.1', prefixlen: 8, scope: 'host' },
    { family: 6, address: '::1', prefixlen: 128, scope: 'host' },
  ],
});

export const links = (...list: Link[]): Observation<'host.links'> => observation('host.links', { links: list.length > 0 ? list : [loopback(), link('eth0')] });

export const clock = (skewsMs: number[], over: Partial<D<'host.clock'>> = {}): Observation<'host.clock'> =>
  observation('host.clock', {
    local: NOW.toISOString(),
    sources: skewsMs.map((skewMs, i) => ({ source: 'http-date', peer: `https://203.0.113.${10 + i}/`, time: new Date(NOW.getTime() - skewMs).toISOString(), skewMs })),
    ...over,
  });

export const proxy = (over: Partial<D<'host.proxy'>> = {}): Observation<'host.proxy'> =>
  observation('host.proxy', {
    variables: [{ name: 'https_proxy', value: 'http://198.51.100.8:3128' }],
    selected: { variable: 'https_proxy', host: '198.51.100.8', port: 3128 },
    noProxyMatch: null,
    ...over,
  });

export const proxyConnect = (over: Partial<D<'proxy.connect'>> = {}): Observation<'proxy.connect'> =>
  observation('proxy.connect', { host: '198.51.100.8', port: 3128, outcome: 'open', ms: 1, ...over });

export const dnsConfig = (over: Partial<D<'dns.config'>> = {}): Observation<'dns.config'> =>
  observation('dns.config', {
    nameservers: ['198.51.100.53'],
    search: [],
    timeoutSec: 5,
    attempts: 2,
    rotate: false,
    nsswitchHosts: ['files', 'dns'],
    source: '/etc/resolv.conf',
    ...over,
  });

export const hosts = (matches: D<'dns.hosts'>['matches'], path = '/etc/hosts'): Observation<'dns.hosts'> => observation('dns.hosts', { path, matches });

/** A dns.query; `answers` may be given as plain addresses (ttl 300). */
export const dnsQuery = (over: Omit<Partial<D<'dns.query'>>, 'answers'> & { answers?: Array<string | { address: string; ttl: number }> } = {}): Observation<'dns.query'> => {
  const { answers, ...rest } = over;
  const outcome = rest.outcome ?? 'answer';
  return observation('dns.query', {
    server: '198.51.100.53',
    port: 53,
    name: 'app.lab.test',
    qtype: 'A',
    transport: 'udp',
    outcome,
    rcode: outcome === 'answer' ? 'NOERROR' : null,
    answers: (answers ?? (outcome === 'answer' && (rest.qtype ?? 'A') === 'A' ? ['203.0.113.10'] : [])).map((a) => (typeof a === 'string' ? { address: a, ttl: 300 } : a)),
    cnames: [],
    truncated: false,
    ms: outcome === 'timeout' ? 5000 : 2,
    ...rest,
  });
};

export const dnsSystem = (addresses: string[], over: Partial<D<'dns.system'>> = {}): Observation<'dns.system'> =>
  observation('dns.system', {
    name: 'app.lab.test',
    addresses: addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })),
    error: addresses.length > 0 ? null : 'EAI_AGAIN',
    ms: 3,
    ...over,
  });

export const routeLookup = (destination = '203.0.113.10', over: Partial<D<'route.lookup'>> = {}): Observation<'route.lookup'> =>
  observation('route.lookup', {
    destination,
    family: destination.includes(':') ? 6 : 4,
    outcome: 'route',
    dev: 'eth0',
    gateway: '198.51.100.1',
    src: '198.51.100.10',
    table: 'main',
    route: 'default via 198.51.100.1 dev eth0',
    candidates: [{ prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '198.51.100.1', metric: null, type: 'unicast', text: 'default via 198.51.100.1 dev eth0' }],
    rules: [
      { priority: 0, text: '0: from all lookup local', table: 'local' },
      { priority: 32766, text: '32766: from all lookup main', table: 'main' },
      { priority: 32767, text: '32767: from all lookup default', table: 'default' },
    ],
    ...over,
  });

export const neighbor = (over: Partial<D<'gateway.neighbor'>> = {}): Observation<'gateway.neighbor'> =>
  observation('gateway.neighbor', { gateway: '198.51.100.1', dev: 'eth0', state: 'REACHABLE', answered: true, method: 'ping', ...over });

export const echo = (over: Partial<D<'icmp.echo'>> = {}): Observation<'icmp.echo'> => {
  const sent = over.sent ?? 4;
  const received = over.received ?? sent;
  return observation('icmp.echo', {
    address: '203.0.113.10',
    method: 'raw',
    sent,
    received,
    lossPct: sent === 0 ? 0 : Math.round((100 * (sent - received)) / sent),
    rtt: received > 0 ? { min: 0.2, avg: 0.3, max: 0.5, stddev: 0.1 } : null,
    errors: [],
    ...over,
  });
};

export const icmpError = (over: Partial<IcmpError> = {}): IcmpError => ({ type: 3, code: 1, from: '198.51.100.1', name: 'host-unreachable', ...over });

export const firewall = (over: Partial<D<'firewall.verdict'>> = {}): Observation<'firewall.verdict'> =>
  observation('firewall.verdict', { chain: 'OUTPUT', proto: 'tcp', src: '198.51.100.10', dst: '203.0.113.10', dport: 443, verdict: 'ACCEPT', rule: null, ...over });

export const tcp = (over: Partial<D<'tcp.connect'>> = {}): Observation<'tcp.connect'> => {
  const address = over.address ?? '203.0.113.10';
  return observation('tcp.connect', { address, port: 443, family: address.includes(':') ? 6 : 4, outcome: 'open', ms: 0.8, ...over });
};

export const http = (over: Partial<D<'http.response'>> = {}): Observation<'http.response'> =>
  observation('http.response', { url: 'https://app.lab.test/', outcome: 'response', status: 200, location: null, date: NOW.toUTCString(), server: 'lab', ms: 3, ...over });

/** A small healthy Snapshot (collectors that tests rarely need are marked unavailable). */
export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  const na = { ok: false as const, unavailable: 'fixture' };
  return {
    schema: 'netdx.snapshot/v1',
    collectedAt: NOW.toISOString(),
    hostname: 'client',
    kernel: '6.1.0',
    uid: 0,
    links: { ok: true, value: [] },
    routes: {
      ok: true,
      value: [
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '0.0.0.0/0',
          gateway: '198.51.100.1',
          dev: 'eth0',
          src: null,
          metric: null,
          protocol: 'static',
          scope: 'global',
          nexthops: [],
          text: 'default via 198.51.100.1 dev eth0',
        },
      ],
    },
    rules: { ok: true, value: [] },
    neighbors: { ok: true, value: [] },
    resolv: na,
    hosts: na,
    nsswitch: na,
    firewall: { iptables: na, ip6tables: na, nft: na, ufw: na },
    sysctls: na,
    listening: na,
    proxyEnv: {},
    time: { local: NOW.toISOString(), timezone: 'UTC', ntpSynchronized: null },
    ...over,
  };
}
