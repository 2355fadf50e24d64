import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCapture, startRecorder } from './capture.js';
import { CASES } from './testing.js';
import { REPORT_SCHEMA_ID, ReportSchema, contractViolations, type Report } from '../model/report.js';

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

test('startRecorder: a missing tool is a reason, not an exception', async () => {
  const r = await startRecorder('/tmp/never-written.pcap', 'netdx-no-such-tcpdump');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /not installed/);
});
