/**
 * The evaluator on rulesets captured from real kernels (test/fixtures/analyze/capture.mjs): each
 * flow's verdict and deciding rule, which must also be one whose counter the kernel moved when
 * the packet was really sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFirewall, firewallVerdict, type FirewallFlow } from './verdict.js';
import { labSnapshot, recordedFlows, type RecordedFlow } from '../test-fixtures.js';
import type { TraceEntry } from './types.js';

const key = (t: TraceEntry): string => (t.backend === 'nft' ? `nft ${t.table}/${t.chain} h${t.handle}` : `${t.backend} ${t.table}/${t.chain} ${t.rule === null ? 'policy' : `#${t.rule}`}`);

function flowOf(f: RecordedFlow): FirewallFlow {
  return { chain: f.chain, proto: f.proto === 'icmp' && f.family === 6 ? 'icmpv6' : f.proto, src: f.src, dst: f.dst, sport: f.sport, dport: f.proto === 'icmp' ? null : f.dport, replies: false };
}

/** scenario → per recorded flow: [verdict, deciding rule key (or policy), rejectWith?] */
const EXPECTED: Record<string, Array<[string, string, string?]>> = {
  'client-output': [
    ['DROP', 'iptables filter/OUTPUT #3'],
    ['ACCEPT', 'iptables filter/OUTPUT policy'],
    ['REJECT', 'iptables filter/OUTPUT #4', 'icmp-admin-prohibited'],
    ['DROP', 'iptables filter/OUTPUT #5'],
    ['ACCEPT', 'iptables filter/OUTPUT policy'],
    ['REJECT', 'ip6tables filter/OUTPUT #1', 'icmp6-adm-prohibited'],
  ],
  'server-ufw': [
    ['ACCEPT', 'iptables filter/ufw-user-input #1'],
    ['DROP', 'iptables filter/INPUT policy'],
    ['ACCEPT', 'iptables filter/ufw-user-input #2'],
    ['REJECT', 'iptables filter/ufw-reject-input #1', 'tcp-reset'],
    ['ACCEPT', 'iptables filter/ufw-before-input #4'],
    ['DROP', 'iptables filter/ufw-after-input #1'],
  ],
  'server-nft': [
    ['ACCEPT', 'nft ndxfw/zone_public h12'],
    ['REJECT', 'nft ndxfw/input h9', 'icmpx admin-prohibited'],
    ['ACCEPT', 'nft ndxfw/zone_public h10'],
    ['DROP', 'nft ndxfw/zone_public h14'],
    ['ACCEPT', 'nft ndxfw/zone_public h12'],
  ],
  'client-both': [
    ['DROP', 'nft ndxout/output h2'],
    ['REJECT', 'nft ndxout/output h3', 'tcp-reset'],
    ['ACCEPT', 'iptables filter/OUTPUT #1'],
  ],
};

for (const [scenario, expected] of Object.entries(EXPECTED)) {
  test(`${scenario}: verdicts and deciding rules equal what the kernel did`, () => {
    const flows = recordedFlows(scenario);
    assert.equal(flows.length, expected.length);
    flows.forEach((f, i) => {
      const snap = labSnapshot(f.chain === 'OUTPUT' ? 'a' : 'b', scenario);
      const c = checkFirewall(snap, flowOf(f));
      const [verdict, rule, rejectWith] = expected[i]!;
      const where = `${scenario} flow ${i + 1} (${f.proto} ${f.dst}:${f.dport})`;
      assert.equal(c.verdict, verdict, `${where}: ${c.reason}`);
      const decided = c.verdict === 'ACCEPT' ? (c.accepted ?? c.trace.filter((t) => t.result === 'policy').at(-1)!) : c.decided!;
      assert.equal(key(decided), rule, where);
      assert.ok(f.kernel.includes(rule), `${where}: the kernel's counters did not move for ${rule} (${f.kernel.join(', ')})`);
      if (rejectWith) assert.equal(c.rejectWith, rejectWith, where);
      // every rule the trace says matched is one the kernel counted (the trace is exact)
      for (const t of c.trace) if (t.result === 'match') assert.ok(f.kernel.includes(key(t)), `${where}: ${key(t)} matched only in the trace`);
    });
  });
}

test('client-both: the DNAT in iptables nat OUTPUT changes the flow the nft chain sees', () => {
  const f = recordedFlows('client-both')[1]!;
  const c = checkFirewall(labSnapshot('a', 'client-both'), flowOf(f));
  assert.deepEqual(
    c.nat.map((n) => [n.kind, n.from, n.to, n.chain, n.rule]),
    [['DNAT', '203.0.113.77:80', '203.0.113.5:8080', 'OUTPUT', 1]],
  );
  assert.equal(c.verdict, 'REJECT');
});

test('firewallVerdict: iptables rule number, nft handle and family, filter policy as a null rule', () => {
  const a = labSnapshot('a', 'client-output');
  const drop = firewallVerdict(a, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443 })!;
  assert.equal(drop.verdict, 'DROP');
  assert.deepEqual(drop.rule, {
    backend: 'iptables',
    table: 'filter',
    chain: 'OUTPUT',
    number: 3,
    text: '-A OUTPUT -d 203.0.113.0/24 -p tcp -m tcp --dport 443 -m comment --comment "no HTTPS to the partner net" -j DROP',
  });
  assert.equal(drop.src, '198.51.100.1', 'the source the kernel would pick');
  const b = labSnapshot('b', 'server-nft');
  const rej = firewallVerdict(b, { chain: 'INPUT', proto: 'tcp', src: '198.51.100.1', dst: '198.51.100.2', dport: 8080 })!;
  assert.equal(rej.verdict, 'REJECT');
  assert.equal(rej.rule?.backend, 'nft');
  assert.equal(rej.rule?.handle, 9);
  assert.equal(rej.rule?.family, 'inet');
  assert.equal(rej.rejectWith, 'icmpx admin-prohibited');
  const ufw = labSnapshot('b', 'server-ufw');
  const pol = firewallVerdict(ufw, { chain: 'INPUT', proto: 'tcp', src: '198.51.100.1', dst: '198.51.100.2', dport: 80 })!;
  assert.equal(pol.verdict, 'DROP');
  assert.equal(pol.rule, null);
  assert.match(pol.reason ?? '', /policy DROP of filter\/INPUT/);
});

test('replies: a client whose INPUT drops everything but has no ESTABLISHED rule loses the replies', () => {
  const rules = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n';
  const s = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules : ''));
  const v = firewallVerdict(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443 })!;
  assert.equal(v.verdict, 'DROP');
  assert.equal(v.chain, 'INPUT');
  assert.match(v.reason ?? '', /reply/);
  const ok = rules.replace('-A INPUT -i lo', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo');
  const s2 = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? ok : ''));
  assert.equal(firewallVerdict(s2, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443 })?.verdict, 'ACCEPT');
});

test('unknown match module: UNKNOWN naming the line; a rule before it still decides', () => {
  const edit = (t: string, file: string): string => (file === 'iptables' ? t.replace(/(\[\d+:\d+\] -A OUTPUT -d 203\.0\.113\.0\/24)/, '[0:0] -A OUTPUT -p tcp -m geoip --dst-cc XX -j DROP\n$1') : t);
  const s = labSnapshot('a', 'client-output', edit);
  const lineNo = s.firewall.iptables.ok ? s.firewall.iptables.value.split('\n').findIndex((l) => l.includes('geoip')) + 1 : -1;
  const c = checkFirewall(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 80, replies: false });
  assert.equal(c.verdict, 'UNKNOWN');
  assert.equal(c.likely, 'ACCEPT');
  assert.match(c.reason, new RegExp(`line ${lineNo}: unknown match module "geoip"`));
  assert.equal(c.unknown[0]?.line, lineNo);
  // UDP is not matched by the -p tcp of the unknown rule: still decidable
  const u = checkFirewall(s, { chain: 'OUTPUT', proto: 'udp', src: null, dst: '203.0.113.77', dport: 53, replies: false });
  assert.equal(u.verdict, 'DROP');
  // a flow that the established rule accepts before the unknown one is not affected
  const e = checkFirewall(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 80, state: 'ESTABLISHED', replies: false });
  assert.equal(e.verdict, 'ACCEPT');
});

test('an unknown rule that could only drop what is dropped anyway does not make it UNKNOWN', () => {
  const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n-A OUTPUT -m owner --uid-owner 1000 -j DROP\n-A OUTPUT -p udp -j ACCEPT\nCOMMIT\n';
  const s = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules : ''));
  const c = checkFirewall(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443, replies: false });
  assert.equal(c.verdict, 'DROP');
  assert.equal(c.decided?.rule, null, 'the policy decides either way');
  const u = checkFirewall(s, { chain: 'OUTPUT', proto: 'udp', src: null, dst: '203.0.113.5', dport: 53, replies: false });
  assert.equal(u.verdict, 'UNKNOWN');
  assert.match(u.reason, /line 5: depends on the sending process/);
});

test('a truncated dump: rules up to the cut still decide; reaching the cut is UNKNOWN', () => {
  const full = labSnapshot('a', 'client-output');
  const text = full.firewall.iptables.ok ? full.firewall.iptables.value : '';
  const cut = text.slice(0, text.indexOf('-A OUTPUT -d 198.51.100.2/32'));
  const s = labSnapshot('a', 'client-output', (t, file) => (file === 'iptables' ? cut : t));
  const drop = checkFirewall(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443, replies: false });
  assert.equal(drop.verdict, 'DROP');
  const rest = checkFirewall(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 80, replies: false });
  assert.equal(rest.verdict, 'UNKNOWN');
  assert.match(rest.reason, /no COMMIT|truncated/);
  assert.ok(rest.problems.some((p) => /no COMMIT/.test(p.reason) && p.line !== undefined));
});

test('statistic and limit are probabilistic, not unknown', () => {
  const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -m statistic --mode random --probability 0.30000000009 -j DROP\nCOMMIT\n';
  const s = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules : ''));
  const c = checkFirewall(s, { chain: 'OUTPUT', proto: 'udp', src: null, dst: '203.0.113.5', dport: 53, replies: false });
  assert.equal(c.verdict, 'UNKNOWN');
  assert.equal(c.probabilistic, true);
  assert.equal(c.likely, 'ACCEPT');
  assert.match(c.reason, /probabilistic: ACCEPT unless .* rule 1 matches \(matches some packets only \(random, probability 0\.30\)\)/);
});

test('ipset: resolved from the snapshot when its contents are there, else UNKNOWN naming the set', () => {
  const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m set --match-set blocked dst -j DROP\nCOMMIT\n';
  const s = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules : ''));
  const flow: FirewallFlow = { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443, replies: false };
  const u = checkFirewall(s, flow);
  assert.equal(u.verdict, 'UNKNOWN');
  assert.match(u.reason, /depends on set blocked/);
  const withSet = { ...s, firewall: { ...s.firewall, ipset: { ok: true as const, value: 'create blocked hash:net family inet hashsize 1024 maxelem 65536\nadd blocked 203.0.113.0/28\n' } } };
  assert.equal(checkFirewall(withSet, flow).verdict, 'DROP');
  assert.equal(checkFirewall(withSet, { ...flow, dst: '203.0.113.77' }).verdict, 'ACCEPT');
});

test('firewall not collected: no verdict; collected but unreadable: UNKNOWN saying why', () => {
  const s = labSnapshot('a');
  assert.equal(firewallVerdict(s, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443 }), null);
  const denied = { ok: false as const, unavailable: 'iptables-save: permission denied' };
  const v = firewallVerdict({ ...s, firewall: { ...s.firewall, iptables: denied, ip6tables: denied } }, { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443 });
  assert.equal(v?.verdict, 'UNKNOWN');
  assert.match(v?.reason ?? '', /no firewall rules in the snapshot \(iptables: iptables-save: permission denied/);
});

test('ctstate DNAT: set by a DNAT that changes the destination, not by one to the address the packet already has', () => {
  const rules = (to: string): string =>
    `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A OUTPUT -d 203.0.113.5/32 -j DNAT --to-destination ${to}\nCOMMIT\n` +
    '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m conntrack --ctstate DNAT -j DROP\nCOMMIT\n';
  const flow: FirewallFlow = { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 443, replies: false };
  const moved = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules('203.0.113.6') : ''));
  assert.equal(checkFirewall(moved, flow).verdict, 'DROP');
  // the kernel finds the tuple unchanged (nf_nat_setup_info): no IPS_DST_NAT, so no match
  const same = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules('203.0.113.5') : ''));
  assert.equal(checkFirewall(same, flow).verdict, 'ACCEPT');
  const samePort = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules('203.0.113.5:443') : ''));
  assert.equal(checkFirewall(samePort, flow).verdict, 'ACCEPT');
  const otherPort = labSnapshot('a', 'client-output', (_t, file) => (file === 'iptables' ? rules('203.0.113.5:8443') : ''));
  assert.equal(checkFirewall(otherPort, flow).verdict, 'DROP');
});
