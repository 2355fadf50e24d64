import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyRules } from './rules.js';
import { fixture } from '../fixture-files.js';
import { ParseError } from '../../model/errors.js';

const v4 = parsePolicyRules(fixture('lab-ip-rule4.json'), 4);
const v6 = parsePolicyRules(fixture('lab-ip-rule6.json'), 6);
const at = (rules: typeof v4, priority: number) => {
  const r = rules.find((x) => x.priority === priority);
  assert.ok(r, `rule ${priority}`);
  return r;
};

test('the fwmark rule sends marked packets to table 100', () => {
  const r = at(v4, 100);
  assert.equal(r.fwmark, '0x1/0xff');
  assert.equal(r.table, '100');
  assert.equal(r.action, 'to_tbl');
  assert.equal(r.src, null);
});

test('from, to, iif, oif, not and the non-lookup actions', () => {
  assert.equal(at(v4, 200).src, '198.51.100.10/32');
  assert.equal(at(v4, 200).table, '101');
  assert.equal(at(v4, 300).iif, 'a1');
  assert.deepEqual([at(v4, 350).action, at(v4, 350).dst], ['prohibit', '100.64.98.0/24']);
  assert.equal(at(v4, 400).action, 'blackhole');
  assert.equal(at(v4, 500).not, true);
  assert.equal(at(v4, 500).src, '198.51.100.0/24');
  assert.deepEqual([at(v4, 600).action, at(v4, 600).oif, at(v4, 600).table], ['unreachable', 'a0', null]);
  assert.deepEqual([at(v4, 950).action, at(v4, 950).goto], ['goto', 32766]);
  assert.equal(at(v4, 960).action, 'nop');
  assert.equal(at(v4, 700).suppressPrefixlen, 0);
  assert.deepEqual(at(v4, 250).other, ['ipproto tcp', 'dport 443']);
  assert.deepEqual(at(v4, 800).other, ['uidrange 1000-2000']);
  assert.deepEqual(at(v4, 900).other, ['tos 0x10']);
  assert.equal(at(v6, 100).src, '2001:db8:1::/64');
  assert.equal(at(v6, 300).action, 'unreachable');
  assert.deepEqual(
    v4.map((r) => r.priority),
    [0, 100, 200, 250, 300, 350, 400, 500, 600, 610, 700, 800, 900, 950, 960, 32766, 32767],
  );
});

test('text is what `ip rule` prints after the priority', () => {
  for (const [rules, file] of [
    [v4, 'lab-ip-rule4.txt'],
    [v6, 'lab-ip-rule6.txt'],
  ] as const) {
    const lines = fixture(file)
      .split('\n')
      .filter(Boolean)
      .map((l) =>
        l
          .replace(/^\d+:\s*/, '')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    assert.deepEqual(
      rules.map((r) => r.text),
      lines,
    );
  }
});

test('root namespace rules parse', () => {
  assert.deepEqual(
    parsePolicyRules(fixture('root-ip-rule4.json'), 4).map((r) => r.table),
    ['local', 'main', 'default'],
  );
});

test('bad input is a ParseError', () => {
  assert.throws(() => parsePolicyRules('[{"src":"all"}]', 4), /rule #0: expected "priority" to be a number/);
  assert.throws(() => parsePolicyRules('[{"priority":1,"src":"2001:db8::","srclen":64}]', 4), ParseError);
  assert.throws(() => parsePolicyRules('[1]', 6), /ip -6 -j rule: expected rule #0 to be a JSON object/);
});
