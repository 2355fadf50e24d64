/**
 * Untrusted input: random text, garbage and hand-edited or truncated dumps never crash the
 * parsers or the evaluator, and what cannot be read is reported with its line number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIptablesSave } from './iptables.js';
import { parseNftRuleset } from './nft.js';
import { parseIpsetSave } from './ipset.js';
import { checkFirewall, type FirewallFlow } from './verdict.js';
import { analyzeFixture, labSnapshot } from '../test-fixtures.js';

const VERDICTS = new Set(['ACCEPT', 'DROP', 'REJECT', 'UNKNOWN']);
const DUMPS = ['client-output.iptables-save.txt', 'server-ufw.iptables-save.txt', 'client-both.iptables-save.txt'].map(analyzeFixture);
const NFT = ['server-nft.nft.json', 'client-both.nft.json'].map((n) => JSON.parse(analyzeFixture(n)) as unknown);
const FLOW: FirewallFlow = { chain: 'OUTPUT', proto: 'tcp', src: null, dst: '203.0.113.5', dport: 80, replies: false };

/** A dump with lines deleted, duplicated, swapped, cut or garbled. */
const mutatedDump = fc
  .tuple(fc.constantFrom(...DUMPS), fc.array(fc.tuple(fc.constantFrom('delete', 'dup', 'cut', 'garble', 'swap', 'truncate'), fc.nat(), fc.string({ maxLength: 12 })), { minLength: 1, maxLength: 6 }))
  .map(([text, ops]) => {
    let lines = text.split('\n');
    for (const [op, n, s] of ops) {
      const i = lines.length === 0 ? 0 : n % lines.length;
      const l = lines[i] ?? '';
      if (op === 'delete') lines.splice(i, 1);
      else if (op === 'dup') lines.splice(i, 0, l);
      else if (op === 'cut') lines[i] = l.slice(0, n % (l.length + 1));
      else if (op === 'garble') lines[i] = `${l.slice(0, n % (l.length + 1))}${s}${l.slice((n % (l.length + 1)) + 1)}`;
      else if (op === 'swap' && lines.length > 1) [lines[i], lines[(i + 1) % lines.length]] = [lines[(i + 1) % lines.length]!, l];
      else if (op === 'truncate') lines = lines.slice(0, i);
    }
    return lines.join('\n');
  });

function verdictOn(iptables: string, nft: unknown = { nftables: [] }) {
  const s = labSnapshot('a');
  return checkFirewall({ ...s, firewall: { iptables: { ok: true, value: iptables }, ip6tables: { ok: true, value: '' }, nft: { ok: true, value: nft }, ufw: s.firewall.ufw } }, FLOW);
}

test('iptables-save: arbitrary text never throws, problems carry line numbers within the input', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), fc.constantFrom<4 | 6>(4, 6), (text, fam) => {
      const rs = parseIptablesSave(text, fam);
      const lines = text.split('\n').length;
      for (const p of rs.problems) assert.ok(p.line === undefined || (p.line >= 1 && p.line <= lines), `line ${p.line} of ${lines}`);
    }),
    { numRuns: 300 },
  );
});

test('iptables-save: garbage lines built from real option words never crash the evaluator', () => {
  const words = [
    '-A',
    'OUTPUT',
    '-I',
    '-j',
    '-g',
    '-m',
    'tcp',
    'udp',
    'multiport',
    'conntrack',
    '--ctstate',
    'NEW',
    '!',
    '-p',
    '-s',
    '-d',
    '10.0.0.0/8',
    '-o',
    'eth+',
    '--dport',
    '80:90',
    '--dports',
    '1,2',
    'ACCEPT',
    'DROP',
    'REJECT',
    '--reject-with',
    'MARK',
    '--set-xmark',
    '0x1/0xff',
    'DNAT',
    '--to-destination',
    '[2001:db8::1]:80',
    '"quoted',
    'x"',
    '-c',
    '1',
    '2',
    '*filter',
    ':OUTPUT',
    'COMMIT',
    '[1:2]',
    'U1',
    '-m',
    'set',
    '--match-set',
    'S',
    'src,dst',
  ];
  const line = fc.array(fc.constantFrom(...words), { maxLength: 14 }).map((w) => w.join(' '));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const text = ['*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':U1 - [0:0]', ...lines, 'COMMIT'].join('\n');
      const c = verdictOn(text);
      assert.ok(VERDICTS.has(c.verdict));
    }),
    { numRuns: 300 },
  );
});

test('iptables-save: mutated real dumps (deleted, duplicated, cut, garbled, truncated lines) never crash', () => {
  fc.assert(
    fc.property(mutatedDump, (text) => {
      const c = verdictOn(text);
      assert.ok(VERDICTS.has(c.verdict));
      assert.equal(typeof c.reason, 'string');
    }),
    { numRuns: 400 },
  );
});

test('an unknown match module anywhere before the decision makes a DROP rule UNKNOWN with its line; as ACCEPT it changes nothing', () => {
  const base = analyzeFixture('client-output.iptables-save.txt');
  const lines = base.split('\n');
  const first = lines.findIndex((l) => / -A OUTPUT /.test(l));
  const last = lines.findLastIndex((l) => / -A OUTPUT /.test(l));
  fc.assert(
    fc.property(
      fc.integer({ min: first + 1, max: last + 1 }),
      fc
        .stringMatching(/^[a-z][a-z0-9]{2,10}$/)
        .filter(
          (m) =>
            ![
              'tcp',
              'udp',
              'icmp',
              'icmp6',
              'multiport',
              'conntrack',
              'state',
              'iprange',
              'comment',
              'addrtype',
              'mark',
              'connmark',
              'statistic',
              'limit',
              'hashlimit',
              'quota',
              'connlimit',
              'recent',
              'owner',
              'pkttype',
              'tos',
              'dscp',
              'set',
              'nfacct',
              'frag',
              'hbh',
              'dst',
              'rt',
              'sctp',
              'dccp',
              'esp',
              'ah',
              'mh',
              'length',
            ].includes(m),
        ),
      fc.constantFrom('DROP', 'ACCEPT'),
      (at, mod, target) => {
        const edited = [...lines.slice(0, at), `-A OUTPUT -m ${mod} --${mod}-opt 7 -j ${target}`, ...lines.slice(at)].join('\n');
        const c = verdictOn(edited);
        if (target === 'ACCEPT') assert.equal(c.verdict, 'ACCEPT', c.reason);
        else {
          assert.equal(c.verdict, 'UNKNOWN', c.reason);
          assert.match(c.reason, new RegExp(`line ${at + 1}: unknown match module "${mod}"`));
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('an option a newer iptables added to a known module is unknown, with its line', () => {
  const text = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m tcp --dport 80 --tcp-future 3 -j DROP\nCOMMIT\n';
  const c = verdictOn(text);
  assert.equal(c.verdict, 'UNKNOWN');
  assert.match(c.reason, /line 5: option --tcp-future of module "tcp" is not understood/);
  const t = verdictOn(text.replace(' --tcp-future 3 -j DROP', ' -j FUTURETARGET --x 1'));
  assert.equal(t.verdict, 'UNKNOWN');
  assert.match(t.reason, /line 5: unknown target FUTURETARGET/);
});

test('a jump loop in a hand-edited dump ends as UNKNOWN, not a stack overflow', () => {
  const text = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A OUTPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n';
  const c = verdictOn(text);
  assert.equal(c.verdict, 'UNKNOWN');
  assert.match(c.reason, /deeper than 64/);
});

test('nft JSON: arbitrary values never throw; mutated real rulesets never crash the evaluator', () => {
  fc.assert(
    fc.property(fc.anything(), (x) => {
      const rs = parseNftRuleset(x);
      assert.ok(rs.chains instanceof Map);
    }),
    { numRuns: 300 },
  );
  const mutate = (x: unknown, path: number[], replacement: unknown): unknown => {
    if (path.length === 0 || typeof x !== 'object' || x === null) return replacement;
    const [h, ...rest] = path;
    if (Array.isArray(x)) {
      if (x.length === 0) return x;
      const i = h! % x.length;
      return x.map((y, j) => (j === i ? mutate(y, rest, replacement) : y));
    }
    const keys = Object.keys(x);
    if (keys.length === 0) return x;
    const k = keys[h! % keys.length]!;
    return { ...(x as Record<string, unknown>), [k]: mutate((x as Record<string, unknown>)[k], rest, replacement) };
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...NFT),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.constant([]), fc.constant({}), fc.anything()),
      (doc, path, repl) => {
        const c = verdictOn('', mutate(doc, path, repl));
        assert.ok(VERDICTS.has(c.verdict));
      },
    ),
    { numRuns: 400 },
  );
});

test('nft: an expression this evaluator does not know is UNKNOWN with the rule handle', () => {
  const doc = {
    nftables: [
      { table: { family: 'inet', name: 't', handle: 1 } },
      { chain: { family: 'inet', table: 't', name: 'out', handle: 1, type: 'filter', hook: 'output', prio: 0, policy: 'accept' } },
      { rule: { family: 'inet', table: 't', chain: 'out', handle: 7, expr: [{ match: { op: '==', left: { osf: { key: 'name' } }, right: 'Linux' } }, { drop: null }] } },
    ],
  };
  const c = verdictOn('', doc);
  assert.equal(c.verdict, 'UNKNOWN');
  assert.match(c.reason, /handle 7/);
});

test('ipset save: arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (t) => {
      parseIpsetSave(t);
    }),
    { numRuns: 200 },
  );
});
