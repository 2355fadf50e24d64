import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zhProseLines } from './zh-check.js';
import { diagnose } from '../diagnose/engine.js';
import { fakeDeps } from '../diagnose/testing.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';
import { totals } from './evaluate.js';
import { renderTable } from './table.js';

const refused = fakeDeps({ tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'refused', ms: 0.4, errno: 'ECONNREFUSED' })] }).deps;

test('a report judged in English (the lab’s JSON) reads in Chinese without English prose: findings from their messages, reasons from the templates', async () => {
  const r = await diagnose(parseTarget('203.0.113.10:5000'), { ...DEFAULT_OPTIONS, lang: 'en' }, refused);
  assert.equal(r.primary?.code, 'TCP-001');
  assert.deepEqual(zhProseLines(JSON.parse(JSON.stringify(r))), []);
});

test('a text without its message shows as English prose in the Chinese reading (and a non-report is null)', async () => {
  const r = await diagnose(parseTarget('203.0.113.10:5000'), { ...DEFAULT_OPTIONS, lang: 'en' }, refused);
  const leaky = { ...r, primary: { ...r.primary!, evidence: [{ observation: 'tcp.connect', summary: 'the service answered with a reset' }] } };
  const lines = zhProseLines(JSON.parse(JSON.stringify(leaky)));
  assert.equal(lines?.length, 1);
  assert.match(lines![0]!, /the service answered with a reset/);
  assert.equal(zhProseLines({ not: 'a report' }), null);
  const withCommand = {
    ...r,
    primary: { ...r.primary!, fix: [{ summary: r.primary!.fix[0]!.summary, message: r.primary!.fix[0]!.message, command: "echo 'precedence ::ffff:0:0/96  100' >> /etc/gai.conf" }] },
  };
  assert.deepEqual(zhProseLines(JSON.parse(JSON.stringify(withCommand))), [], 'a fix command is a command, not prose');
});

test('the lab totals count the reports read in Chinese and list those that leak English', () => {
  const base = { expect: 'ok' as const, got: 'ok', pass: true, why: '', diagnosisMs: 100 };
  const records = [
    { ...base, id: 'a', zhProse: [] },
    { ...base, id: 'b', zhProse: ['• tcp.connect  the service answered with a reset'] },
    { ...base, id: 'c' },
  ];
  const t = totals(records);
  assert.equal(t.zhChecked, 2);
  assert.equal(t.zhClean, 1);
  assert.match(renderTable(records, t), /^zh {11}1\/2 reports read in Chinese hold no English prose\n {2}└ b: • tcp\.connect {2}the service answered with a reset$/m);
  assert.match(renderTable(records, t, 'zh'), /^中文 {9}2 份报告中 1 份以中文阅读时没有英文语句$/m);
});
