/**
 * Proof against the kernel (root only): random but valid rulesets and routing tables are loaded
 * into lab namespaces, real packets are sent, and the kernel's own record is compared with the
 * analyzers:
 *  - firewall: `iptables-save -c` / nft rule counters name every rule the packet matched (and the
 *    policies it met); the evaluator's trace must name exactly the same ones;
 *  - routes: `ip -j route get` for random destinations, sources, marks and output devices must
 *    equal explainRoute (gateway, device, table, or the kind of refusal).
 * fast-check prints the seed of a failing case; NETDX_DIFF_SEED=… replays it, NETDX_DIFF_RUNS=…
 * sets the number of cases.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labAvailable, makeLab, nsSnapshot, type Lab } from './testing-lab.js';
import { fwCaseArb, routeCaseArb, type FwCase } from './differential-gen.js';
import { checkFirewall } from './firewall/verdict.js';
import { parseIptablesSave } from './firewall/iptables.js';
import { lookupRoute, prepareRoutes, explainRoute } from './route-lookup.js';
import type { Snapshot } from '../model/snapshot.js';
import { parseRouteGet } from '../system/parse/route-get.js';

const skip = labAvailable();
const seed = process.env.NETDX_DIFF_SEED ? Number(process.env.NETDX_DIFF_SEED) : Date.now() % 1_000_000;
const RUNS = Number(process.env.NETDX_DIFF_RUNS ?? '0');
let lab: Lab | null = null;
const base: Partial<Record<'a' | 'b', Snapshot>> = {};

before(async () => {
  if (skip) return;
  lab = makeLab('diff');
  process.once('exit', () => lab?.destroy());
  // let the kernel's own start-up packets (MLD reports after the links came up) pass before counting
  await new Promise((r) => setTimeout(r, 600));
  base.a = await nsSnapshot(lab.ns('a'), ['links', 'routes', 'rules']);
  base.b = await nsSnapshot(lab.ns('b'), ['links', 'routes', 'rules']);
});

after(() => {
  lab?.destroy();
  lab = null;
});

/** Keys of the rules and policies whose packet counter is not zero in `iptables-save -c`. */
function kernelIptablesHits(dump: string, fam: 4 | 6, hooks: string[]): Set<string> {
  const hits = new Set<string>();
  const rs = parseIptablesSave(dump, fam);
  for (const c of rs.chains.values()) {
    // the other direction's packets (replies, ICMP errors) pass the other hooks: not this flow's
    if (c.base && !hooks.includes(c.base.hook)) continue;
    if (c.base && (c.base.packets ?? 0) > 0) hits.add(`${c.backend} ${c.table}/${c.name} policy`);
    for (const r of c.rules) if ((r.packets ?? 0) > 0) hits.add(`${c.backend} ${c.table}/${c.name} #${r.number}`);
  }
  return hits;
}

/** Handles of nft rules of table inet ndxd whose counter is not zero. */
function kernelNftHits(json: unknown): Set<string> {
  const hits = new Set<string>();
  const list = (json as { nftables?: unknown[] }).nftables ?? [];
  for (const o of list) {
    const r = (o as { rule?: { family: string; table: string; chain: string; handle: number; expr: unknown[] } }).rule;
    if (!r || r.table !== 'ndxd') continue;
    for (const x of r.expr) {
      const c = (x as { counter?: { packets: number } }).counter;
      if (c && c.packets > 0) hits.add(`nft ${r.table}/${r.chain} h${r.handle}`);
    }
  }
  return hits;
}

async function runFwCase(c: FwCase): Promise<void> {
  const l = lab!;
  const host = c.side === 'out' ? 'a' : 'b';
  const other = host === 'a' ? 'b' : 'a';
  const save = c.family === 4 ? 'iptables' : 'ip6tables';
  // a clean slate in both namespaces (iptables-nft tables are nft tables too), then the case's rules in one
  const load = l.script(host, `nft flush ruleset && ${c.iptables ? `${save}-restore < "$1" && ` : ''}${c.nft ? 'nft -f "$2" && ' : ''}(conntrack -F 2>/dev/null; true)`, [c.iptables, c.nft]);
  if (load.code !== 0) throw new Error(`generator made rules the kernel refused (${load.stderr.trim()}):\n${c.iptables}\n${c.nft}`);
  l.script(other, 'nft flush ruleset; conntrack -F 2>/dev/null; true');
  await l.send({ ...c.flow, family: c.family });
  const out = l.script(host, `${save}-save -c && echo '@@nft@@' && nft -j list ruleset`);
  const [dump, nftText] = out.stdout.split('@@nft@@\n') as [string, string];
  const nftJson = JSON.parse(nftText) as unknown;
  const snap: Snapshot = {
    ...base[host]!,
    firewall: {
      iptables: c.family === 4 ? { ok: true, value: dump } : { ok: true, value: '' },
      ip6tables: c.family === 6 ? { ok: true, value: dump } : { ok: true, value: '' },
      nft: { ok: true, value: nftJson },
      ufw: { ok: false, unavailable: 'not installed' },
    },
  };
  const check = checkFirewall(snap, {
    chain: c.side === 'out' ? 'OUTPUT' : 'INPUT',
    proto: c.flow.proto === 'icmp' && c.family === 6 ? 'icmpv6' : c.flow.proto,
    src: c.flow.src,
    dst: c.flow.dst,
    sport: c.flow.sport,
    dport: c.flow.dport,
    replies: false,
  });
  const kernel = new Set([...kernelIptablesHits(dump, c.family, c.side === 'out' ? ['OUTPUT', 'POSTROUTING'] : ['PREROUTING', 'INPUT']), ...kernelNftHits(nftJson)]);
  const ours = new Set<string>();
  for (const t of check.trace) {
    if (t.backend === 'nft' && t.table !== 'ndxd') continue;
    if (t.result === 'match') ours.add(t.backend === 'nft' ? `nft ${t.table}/${t.chain} h${t.handle}` : `${t.backend} ${t.table}/${t.chain} #${t.rule}`);
    if (t.result === 'policy' && t.backend !== 'nft') ours.add(`${t.backend} ${t.table}/${t.chain} policy`);
  }
  const missing = [...kernel].filter((k) => !ours.has(k));
  const extra = [...ours].filter((k) => !kernel.has(k));
  if (missing.length || extra.length || check.verdict === 'UNKNOWN') {
    const trace = check.trace
      .map((t) => `  ${t.hook} ${t.backend} ${t.table}/${t.chain} ${t.rule ?? '-'}${t.handle !== undefined ? ` h${t.handle}` : ''} ${t.result} ${t.action ?? ''} ${t.text} ${t.note ?? ''}`)
      .join('\n');
    assert.fail(
      `kernel and evaluator disagree (${c.side}, IPv${c.family}, ${JSON.stringify(c.flow)}): verdict ${check.verdict} (${check.reason})\n` +
        `only the kernel matched: ${missing.join(', ') || '-'}\nonly we matched: ${extra.join(', ') || '-'}\n--- dump\n${dump}\n--- nft\n${c.nft}\n--- trace\n${trace}`,
    );
  }
}

const params = (n: number): fc.Parameters<[FwCase]> => ({ seed, numRuns: RUNS || n, endOnFailure: true, verbose: 1 });

test('firewall differential: iptables/ip6tables verdicts equal the kernel (counters), OUTPUT and INPUT', { skip: skip ?? false, timeout: 180_000 }, async () => {
  await fc.assert(fc.asyncProperty(fwCaseArb({ nft: 'none' }), runFwCase), params(160));
});

test('firewall differential: nft alone and nft together with iptables (priorities across backends)', { skip: skip ?? false, timeout: 180_000 }, async () => {
  await fc.assert(fc.asyncProperty(fwCaseArb({ nft: 'only' }), runFwCase), params(60));
  await fc.assert(fc.asyncProperty(fwCaseArb({ nft: 'both' }), runFwCase), params(60));
});

test('route differential: explainRoute equals ip route get (tables, policy rules, marks, sources, oif)', { skip: skip ?? false, timeout: 180_000 }, async () => {
  const l = lab!;
  let queries = 0;
  await fc.assert(
    fc.asyncProperty(routeCaseArb(), async (rc) => {
      // reset: policy rules back to the defaults, extra tables and main's generated routes gone
      for (const fam of [4, 6] as const) {
        const reset = [
          'rule flush',
          'rule add pref 32766 lookup main',
          ...(fam === 4 ? ['rule add pref 32767 lookup default'] : []),
          'route flush proto static',
          ...['100', '101', '102'].map((t) => `route flush table ${t}`),
        ];
        l.sh('a', 'ip', [`-${fam}`, '-force', '-batch', '-'], [...reset, ...rc.batch[fam]].join('\n') + '\n', true);
      }
      const snap = await nsSnapshot(l.ns('a'), ['links', 'routes', 'rules']);
      const prepared = prepareRoutes(snap.routes.ok ? snap.routes.value : [], snap.rules.ok ? snap.rules.value : null);
      for (const q of rc.queries) {
        queries++;
        const args = ['-j', 'route', 'get', q.dst, ...(q.from ? ['from', q.from] : []), ...(q.mark !== undefined ? ['mark', String(q.mark)] : []), ...(q.oif ? ['oif', q.oif] : [])];
        const k = l.sh('a', 'ip', args, undefined, true);
        const ours = lookupRoute(prepared, q.dst, { ...(q.from ? { from: q.from } : {}), ...(q.mark !== undefined ? { mark: q.mark } : {}), ...(q.oif ? { oif: q.oif } : {}) })!;
        const e = explainRoute(snap, q.dst, { ...(q.from ? { from: q.from } : {}), ...(q.mark !== undefined ? { mark: q.mark } : {}), ...(q.oif ? { oif: q.oif } : {}) });
        const ctx = () =>
          `query ip ${args.join(' ')}\nkernel: rc=${k.code} ${k.stdout.trim()} ${k.stderr.trim()}\nours: ${e.outcome} gw=${e.gateway} dev=${e.dev} table=${e.table} (${e.why})\nbatch:\n${[...rc.batch[4], ...rc.batch[6]].join('\n')}\nsteps:\n${e.steps.map((s) => `  ${s.priority} ${s.matched ? '*' : ' '} ${s.text} — ${s.note}`).join('\n')}`;
        if (k.code === 0) {
          const v = parseRouteGet(k.stdout);
          assert.equal(e.outcome, 'route', ctx());
          const hops = e.nexthops.length > 1 ? e.nexthops.map((h) => ({ gateway: h.gateway, dev: h.dev })) : [{ gateway: e.gateway, dev: e.dev }];
          assert.ok(
            hops.some((h) => (h.gateway ?? null) === (v.gateway ?? null) && h.dev === v.dev),
            `next hop differs\n${ctx()}`,
          );
          if (!ours.onlink) assert.equal(e.table ?? 'main', v.table, `table differs\n${ctx()}`);
        } else {
          const err = k.stderr;
          const expected =
            e.outcome === 'blackhole'
              ? /Invalid argument/
              : e.outcome === 'prohibit'
                ? /Permission denied/
                : e.outcome === 'unreachable' && e.route
                  ? /No route to host/
                  : e.outcome === 'unreachable' || e.outcome === 'no-route'
                    ? /Network is unreachable/
                    : /^$/;
          assert.match(err, expected, `kernel refused, we said ${e.outcome}\n${ctx()}`);
        }
      }
    }),
    { seed, numRuns: RUNS || 40, endOnFailure: true, verbose: 1 },
  );
  assert.ok(queries >= 400 || RUNS > 0, `only ${queries} route queries`);
});
