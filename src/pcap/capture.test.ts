import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCapture, startRecorder } from './capture.js';
import { CASES } from './testing.js';
import { REPORT_SCHEMA_ID, ReportSchema, contractViolations, type Report } from '../model/report.js';
import { assertMessages } from '../rules/fixtures.js';
import { speak } from '../model/message.js';

const okReport = (): Report => ({
  schema: REPORT_SCHEMA_ID,
  target: { input: '203.0.113.10:8443', host: '203.0.113.10', port: 8443, protocol: 'tcp' },
  startedAt: new Date(0).toISOString(),
  durationMs: 1,
  verdict: 'ok',
  primary: null,
  findings: [],
  layers: [],
  observations: [],
});

test('addCapture: the capture findings join the report, re-ranked, within the contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-cap-'));
  try {
    const file = join(dir, 'c.pcap');
    writeFileSync(file, CASES['tcp-002']!());
    const { report, warning } = addCapture(okReport(), file, 'en', []);
    assert.equal(warning, null);
    assert.equal(report.verdict, 'fault');
    assert.equal(report.primary?.code, 'TCP-002');
    assert.equal(report.capture?.packets, 5);
    ReportSchema.parse(report);
    assert.deepEqual(contractViolations(report), []);
    // A code the live diagnosis already named is not added twice.
    const live = { ...okReport(), verdict: 'fault' as const, primary: report.primary, findings: [report.primary!] };
    assert.equal(addCapture(live, file, 'en', []).report.findings.length, 1);
    // Not a capture: the report stays, with a warning.
    writeFileSync(file, 'nope');
    const bad = addCapture(okReport(), file, 'en', []);
    assert.equal(bad.report.verdict, 'ok');
    assert.match(bad.warning ?? '', /not a capture/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("addCapture: the capture findings carry their messages, in the report's language (a JSON report is English whatever --lang says)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-cap-'));
  try {
    const file = join(dir, 'c.pcap');
    writeFileSync(file, CASES['tcp-002']!());
    // `diagnose --json --lang zh`: the report was judged in English; the capture's findings join it in English.
    const json = addCapture({ ...okReport(), lang: 'en' }, file, 'zh', []).report;
    const f = json.findings.find((x) => x.code === 'TCP-002')!;
    assertMessages(f, 'en');
    assert.match(f.title, /^SYNs to 203\.0\.113\.10:8443 get no answer/);
    assert.match(speak(f.title, f.messages?.title, 'zh'), /SYN无响应/);
    assert.equal(f.evidence[0]!.message?.id, 'pcap.TCP-002.syns');
    // `diagnose --lang zh` (text): the report is in Chinese, and so are the capture's findings.
    const zh = addCapture({ ...okReport(), lang: 'zh' }, file, 'zh', []).report.findings.find((x) => x.code === 'TCP-002')!;
    assertMessages(zh, 'zh');
    assert.match(zh.explanation, /防火墙/);
    // A report without a language: the reader's.
    assertMessages(addCapture(okReport(), file, 'zh', []).report.findings[0]!, 'zh');
    // The warning about a file that is not a capture is for the reader.
    writeFileSync(file, 'nope');
    assert.doesNotMatch(addCapture({ ...okReport(), lang: 'en' }, file, 'zh', []).warning ?? '', /not a capture/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startRecorder: a missing tool is a reason, not an exception', async () => {
  const r = await startRecorder('/tmp/never-written.pcap', 'netdx-no-such-tcpdump');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /not installed/);
});
