/**
 * Benchmark: the route analyzer on a generated 1,000,000-prefix IPv4 table (inside 100.64.0.0/10,
 * lengths /12…/32, a default route) and a 250,000-prefix IPv6 table (inside 2001:db8::/32).
 *   node --expose-gc dist/bench/route.bench.js [--prefixes N] [--v6 N] [--lookups N] [--kernel-lookups N] [--no-kernel] [--json]
 * Targets: load under 3 s, over 1 million lookups a second, under 500 MB. "Load" is the whole path
 * from `ip -j route show` JSON (what `netdx collect` reads) through the system parser to the index;
 * the index build alone is reported too. With root, the same table is loaded into a lab namespace
 * (never the root one) and the kernel's `ip route get` rate is measured in the same run (one
 * `ip -batch` process, so it is netlink round trips, not process starts), and a sample of the
 * kernel's answers is compared with ours.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { netnsSet } from '../lab/netns.js';
import { parseRoutes } from '../system/parse/routes.js';
import { lookupRoute, prepareRoutes } from '../analyze/route-lookup.js';
import { RouteTable } from '../analyze/route-table.js';
import { formatV4, parseAddr, type Addr } from '../analyze/ip.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
}
const N4 = arg('prefixes', 1_000_000);
const N6 = arg('v6', 250_000);
const LOOKUPS = arg('lookups', 2_000_000);
const KERNEL_LOOKUPS = arg('kernel-lookups', 50_000);
const JSON_OUT = process.argv.includes('--json');
const NO_KERNEL = process.argv.includes('--no-kernel');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE4 = 0x64400000; // 100.64.0.0/10
const GATEWAYS = ['198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'];
const LEN_WEIGHTS: Array<[number, number]> = [
  [12, 0.001],
  [16, 0.004],
  [20, 0.01],
  [22, 0.01],
  [24, 0.015],
  [25, 0.02],
  [26, 0.03],
  [27, 0.05],
  [28, 0.15],
  [29, 0.2],
  [30, 0.22],
  [31, 0.14],
  [32, 0.15],
];

function pickLen(r: () => number): number {
  let x = r();
  for (const [len, w] of LEN_WEIGHTS) if ((x -= w) < 0) return len;
  return 32;
}

/** `ip -4 -j route show` JSON of n unique prefixes inside 100.64.0.0/10 plus a default route. */
export function generateV4(n: number, seed = 7): { json: string; prefixes: string[] } {
  const r = rng(seed);
  const seen = new Set<string>();
  const prefixes: string[] = [];
  const parts: string[] = ['{"dst":"default","gateway":"198.51.100.1","dev":"a0","protocol":"static","flags":[]}'];
  const lenCap = new Map<number, number>();
  while (prefixes.length < n) {
    const len = pickLen(r);
    const cap = 2 ** (len - 10);
    if ((lenCap.get(len) ?? 0) >= cap * 0.9) continue;
    const host = Math.floor(r() * 2 ** 22);
    const net = (BASE4 | host) & ((0xffffffff << (32 - len)) >>> 0);
    const p = `${formatV4(net >>> 0)}/${len}`;
    if (seen.has(p)) continue;
    seen.add(p);
    lenCap.set(len, (lenCap.get(len) ?? 0) + 1);
    prefixes.push(p);
    const dst = len === 32 ? formatV4(net >>> 0) : p;
    parts.push(`{"dst":"${dst}","gateway":"${GATEWAYS[prefixes.length % 4]}","dev":"a0","protocol":"static","flags":[]}`);
  }
  return { json: `[${parts.join(',')}]`, prefixes };
}

/** `ip -6 -j route show` JSON of n unique prefixes inside 2001:db8::/32. */
export function generateV6(n: number, seed = 9): string {
  const r = rng(seed);
  const seen = new Set<string>();
  const parts: string[] = ['{"dst":"default","gateway":"2001:db8:ffff::1","dev":"a0","protocol":"static","metric":1024,"flags":[],"pref":"medium"}'];
  while (seen.size < n) {
    const len = [40, 48, 56, 64, 64, 64, 96, 128][Math.floor(r() * 8)]!;
    const g = [Math.floor(r() * 65536), Math.floor(r() * 65536), Math.floor(r() * 65536), Math.floor(r() * 65536), Math.floor(r() * 65536), Math.floor(r() * 65536)];
    const full = `2001:db8:${g.map((x) => x.toString(16)).join(':')}`;
    const a = parseAddr(full)!;
    const w = a.w.map((x, i) => (x & (len - 32 * i >= 32 ? 0xffffffff : len - 32 * i <= 0 ? 0 : (0xffffffff << (32 - (len - 32 * i))) >>> 0)) >>> 0);
    const groups: string[] = [];
    for (const x of w) groups.push((x >>> 16).toString(16), (x & 0xffff).toString(16));
    const p = `${groups.join(':')}/${len}`;
    if (seen.has(p)) continue;
    seen.add(p);
    parts.push(`{"dst":"${p}","gateway":"2001:db8:ffff::${(seen.size % 4) + 2}","dev":"a0","protocol":"static","metric":1024,"flags":[],"pref":"medium"}`);
  }
  return `[${parts.join(',')}]`;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const mb = (x: number): number => Math.round(x / 1048576);

interface KernelResult {
  loadMs: number;
  lookups: number;
  lookupMs: number;
  perSecond: number;
  sampled: number;
  agreed: number;
  disagreements: string[];
}

function kernel(prefixes: string[], probe: (dst: string) => string | null): KernelResult | string {
  if (NO_KERNEL) return 'skipped (--no-kernel)';
  if (process.getuid?.() !== 0) return 'skipped (needs root for a lab namespace)';
  const set = netnsSet(`ndx-bench-rt-${process.pid}`);
  const ns = set.ns('x');
  const inNs = (args: string[], input?: string): void => {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { input: input ?? '', stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${String(r.stderr).split('\n')[0]}`);
  };
  try {
    set.add('x');
    inNs(['ip', '-batch', '-'], 'link add a0 type veth peer name a0p\naddr add 198.51.100.10/24 dev a0\nlink set a0 up\nlink set a0p up\nroute add default via 198.51.100.1 dev a0 proto static\n');
    const lines = prefixes.map((p, i) => `route add ${p} via ${GATEWAYS[(i + 1) % 4]} dev a0 proto static`);
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i += 200_000) inNs(['ip', '-batch', '-'], `${lines.slice(i, i + 200_000).join('\n')}\n`);
    const loadMs = performance.now() - t0;
    const r = rng(11);
    const dsts = Array.from({ length: KERNEL_LOOKUPS }, () => formatV4((BASE4 | Math.floor(r() * 2 ** 22)) >>> 0));
    const t1 = performance.now();
    inNs(['ip', '-batch', '-'], `${dsts.map((d) => `route get ${d}`).join('\n')}\n`);
    const lookupMs = performance.now() - t1;
    // a sample of the kernel's answers against ours
    const sample = dsts.slice(0, 300);
    const out = spawnSync('ip', ['netns', 'exec', ns, 'ip', '-j', '-batch', '-'], { input: `${sample.map((d) => `route get ${d}`).join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 26 });
    const answers = String(out.stdout)
      .split('\n')
      .filter((l) => l.startsWith('['))
      .map((l) => (JSON.parse(l) as Array<{ gateway?: string }>)[0]?.gateway ?? null);
    const disagreements: string[] = [];
    let agreed = 0;
    sample.forEach((d, i) => {
      const ours = probe(d);
      if (ours === answers[i]) agreed++;
      else if (disagreements.length < 5) disagreements.push(`${d}: kernel ${answers[i]}, ours ${ours}`);
    });
    return { loadMs, lookups: dsts.length, lookupMs, perSecond: (dsts.length / lookupMs) * 1000, sampled: sample.length, agreed, disagreements };
  } catch (err) {
    return `kernel part failed: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    set.destroy();
  }
}

function lookupRate(prepared: ReturnType<typeof prepareRoutes>, addrs: Addr[], texts: string[]): { perSecondParsed: number; perSecondText: number; hits: number } {
  let hits = 0;
  for (let i = 0; i < 200_000; i++) lookupRoute(prepared, addrs[i % addrs.length]!); // warm the JIT
  const t0 = performance.now();
  for (let i = 0; i < LOOKUPS; i++) if (lookupRoute(prepared, addrs[i % addrs.length]!)?.outcome === 'route') hits++;
  const ms = performance.now() - t0;
  const t1 = performance.now();
  const n = Math.min(LOOKUPS, texts.length * 4);
  for (let i = 0; i < n; i++) lookupRoute(prepared, texts[i % texts.length]!);
  const ms2 = performance.now() - t1;
  return { perSecondParsed: (LOOKUPS / ms) * 1000, perSecondText: (n / ms2) * 1000, hits };
}

function main(): void {
  gc();
  const base = process.memoryUsage();
  const gen = generateV4(N4);
  // the large-table path: ip -j JSON → columns + index (Route objects only for answers)
  const t0 = performance.now();
  const table = RouteTable.fromIpJson({ v4: gen.json }, parseRoutes);
  const loadMs = performance.now() - t0;
  const prepared = prepareRoutes(table, null);
  gc();
  const mem = process.memoryUsage();
  const r = rng(3);
  const addrs: Addr[] = [];
  const texts: string[] = [];
  for (let i = 0; i < 1 << 20; i++) {
    // half the lookups inside generated prefixes (deep matches), half anywhere in 100.64.0.0/10
    const p = gen.prefixes[Math.floor(r() * gen.prefixes.length)]!;
    const [a, l] = p.split('/');
    const net = parseAddr(a!)!.w[0]!;
    const host = i % 2 ? (net + Math.floor(r() * 2 ** (32 - Number(l)))) >>> 0 : (BASE4 | Math.floor(r() * 2 ** 22)) >>> 0;
    addrs.push({ family: 4, w: [host] });
    if (i < 1 << 18) texts.push(formatV4(host));
  }
  const v4 = lookupRate(prepared, addrs, texts);
  // the snapshot path for comparison: the system parser's Route objects, then the same table
  let json: string | null = gen.json;
  const t1 = performance.now();
  let routes: ReturnType<typeof parseRoutes> | null = parseRoutes(json, 4);
  const parseMs = performance.now() - t1;
  const t2 = performance.now();
  RouteTable.fromRoutes(routes);
  const fromRoutesMs = performance.now() - t2;
  gc();
  const snapHeap = process.memoryUsage().heapUsed;
  routes = null;
  json = null;

  const json6 = generateV6(N6);
  const t3 = performance.now();
  const table6 = RouteTable.fromIpJson({ v6: json6 }, parseRoutes);
  const load6Ms = performance.now() - t3;
  const prepared6 = prepareRoutes(table6, null);
  const spans = JSON.parse(json6) as Array<{ dst: string }>;
  const texts6 = spans.slice(1, 1 << 14).map((x) => x.dst.split('/')[0]!);
  const addrs6: Addr[] = texts6.map((x) => parseAddr(x)!);
  const v6 = lookupRate(prepared6, addrs6, texts6);

  const k = kernel(gen.prefixes, (d) => lookupRoute(prepared, d)?.route?.gateway ?? null);
  const result = {
    v4: {
      prefixes: table.v4.n,
      load: { ms: loadMs, from: 'ip -4 -j route show JSON text' },
      memory: {
        tableMB: mb(table.bytes().arrays),
        sourceMB: mb(table.bytes().source),
        heapUsedMB: mb(mem.heapUsed - base.heapUsed),
        rssMB: mb(mem.rss),
        note: 'table: typed arrays; source: the JSON text kept to make Route objects for answers; heap and rss include the benchmark’s own inputs',
      },
      lookups: { perSecond: Math.round(v4.perSecondParsed), perSecondFromText: Math.round(v4.perSecondText), n: LOOKUPS, routed: v4.hits },
      snapshotPath: { parseRoutesMs: parseMs, tableFromRoutesMs: fromRoutesMs, heapWithRouteObjectsMB: mb(snapHeap - base.heapUsed) },
    },
    v6: { prefixes: table6.v6.n, loadMs: load6Ms, lookups: { perSecond: Math.round(v6.perSecondParsed), perSecondFromText: Math.round(v6.perSecondText) } },
    kernel: k,
  };
  if (JSON_OUT) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const v = result.v4;
  console.log(`IPv4 table: ${v.prefixes} routes (100.64.0.0/10, /12…/32, plus a default)`);
  console.log(`  load:     ${(v.load.ms / 1000).toFixed(2)} s from ip -j JSON (target < 3 s)`);
  console.log(`  memory:   table ${v.memory.tableMB} MB + kept JSON ${v.memory.sourceMB} MB (target < 500 MB); process rss ${v.memory.rssMB} MB with the benchmark's own inputs`);
  console.log(`  lookups:  ${(v.lookups.perSecond / 1e6).toFixed(2)} M/s (address given), ${(v.lookups.perSecondFromText / 1e6).toFixed(2)} M/s (parsed from text) (target > 1 M/s)`);
  console.log(
    `  snapshot path (Route objects first): parseRoutes ${(v.snapshotPath.parseRoutesMs / 1000).toFixed(2)} s + table ${(v.snapshotPath.tableFromRoutesMs / 1000).toFixed(2)} s, heap with the Route objects +${v.snapshotPath.heapWithRouteObjectsMB} MB`,
  );
  console.log(
    `IPv6 table: ${result.v6.prefixes} routes: load ${(result.v6.loadMs / 1000).toFixed(2)} s, ${(result.v6.lookups.perSecond / 1e6).toFixed(2)} M lookups/s (${(result.v6.lookups.perSecondFromText / 1e6).toFixed(2)} M/s from text)`,
  );
  if (typeof k === 'string') console.log(`kernel: ${k}`);
  else {
    console.log(`kernel (lab namespace): loading the table took ${(k.loadMs / 1000).toFixed(1)} s; ip route get: ${Math.round(k.perSecond)}/s (${k.lookups} in one ip -batch)`);
    console.log(`  agreement on a sample: ${k.agreed}/${k.sampled}${k.disagreements.length ? ` — ${k.disagreements.join('; ')}` : ''}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
