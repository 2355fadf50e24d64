import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '../model/report.js';
import { parsePcapOptions } from './pcap.js';
import { CASES } from '../pcap/testing.js';
import { speak } from '../model/message.js';
import { assertMessages } from '../rules/fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const FIX = fileURLToPath(new URL('../../src/pcap/fixtures/', import.meta.url));
const run = (args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [BIN, 'pcap', ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } });

test('netdx pcap FILE --json: a netdx.report/v1 report with capture, exit 2 on a fault', () => {
  const r = run([join(FIX, 'lab-tcp-002.pcap'), '--json']);
  assert.equal(r.status, 2, r.stderr);
  const rep = ReportSchema.parse(JSON.parse(r.stdout));
  assert.equal(rep.primary?.code, 'TCP-002');
  assert.equal(rep.capture?.format, 'pcap');
  assert.ok((rep.primary?.evidence[0]?.packets ?? []).length >= 2);
});

test('netdx pcap --json judges in English whatever --lang says: the message ids beside English texts; the text output speaks them in zh', () => {
  const file = join(FIX, 'lab-tls12-mtls.pcap');
  const json = run([file, '--json', '--lang', 'zh']);
  assert.equal(json.status, 2, json.stderr);
  const rep = ReportSchema.parse(JSON.parse(json.stdout));
  assert.equal(rep.lang, 'en');
  assert.ok(rep.findings.length > 0);
  const text = run([file, '--lang', 'zh']);
  assert.equal(text.status, 2, text.stderr);
  for (const f of rep.findings) {
    assertMessages(f, 'en');
    assert.doesNotMatch(f.title + f.explanation, /[\u4e00-\u9fff]/, `${f.code}: English in the JSON`);
    for (const [s, m] of [
      [f.title, f.messages?.title],
      [f.explanation, f.messages?.explanation],
      ...f.evidence.map((e) => [e.summary, e.message] as const),
      ...f.fix.map((x) => [x.summary, x.message] as const),
    ] as const)
      assert.ok(text.stdout.includes(speak(s, m, 'zh')), `the zh text shows ${JSON.stringify(speak(s, m, 'zh'))}`);
  }
});

test('netdx pcap - reads standard input (tcpdump -w - | netdx pcap -), text in Chinese', () => {
  const r = run(['-', '--lang', 'zh'], readFileSync(join(FIX, 'lab-dns.pcap')));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout, /DNS-002/);
  assert.match(r.stdout, /域名不存在/);
});

test('a healthy capture is exit 0; --filter and --target narrow it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-pcap-cli-'));
  try {
    const f = join(dir, 'ok.pcap');
    writeFileSync(f, CASES['healthy']!());
    assert.equal(run([f]).status, 0);
    const g = join(dir, 'rej.pcap');
    writeFileSync(g, CASES['tcp-001']!());
    assert.equal(run([g, '--filter', 'port 80']).status, 0);
    assert.equal(run([g, '--target', '203.0.113.10:444']).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one line, the documented exit code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-pcap-cli-'));
  try {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a capture\n');
    const lt = Buffer.alloc(24);
    lt.writeUInt32LE(0xa1b2c3d4, 0);
    lt.writeUInt32LE(65535, 16);
    lt.writeUInt32LE(147, 20); // LINKTYPE_USER0
    const pkt = Buffer.alloc(16 + 4);
    pkt.writeUInt32LE(4, 8);
    pkt.writeUInt32LE(4, 12);
    const user = join(dir, 'user.pcap');
    writeFileSync(user, Buffer.concat([lt, pkt]));
    const cut = join(dir, 'cut.pcap');
    const whole = readFileSync(join(FIX, 'lab-tcp-002.pcap'));
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    for (const [file, code, re] of [
      [empty, 64, /empty file \(0 bytes\)/],
      [text, 64, /not a capture/],
      [user, 64, /link type 147 is not one netdx decodes/],
      [join(dir, 'missing.pcap'), 3, /cannot read \(no such file\)/],
    ] as const) {
      const r = run([file]);
      assert.equal(r.status, code, `${file}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const r = run([cut, '--json']);
    assert.equal(r.status, 2);
    const capture = JSON.parse(r.stdout).capture;
    assert.match(capture.warnings[0], /cut mid-record/);
    assert.equal(capture.warningMessages[0].id, 'pcap.warn.cut', 'the warning as a message id beside its text');
    assert.match(capture.warnings[0], new RegExp(`last ${capture.warningMessages[0].params.bytes} bytes`));
    assert.equal(capture.warningMessages.length, capture.warnings.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('options are checked at the edge', () => {
  assert.throws(() => parsePcapOptions({ filter: 'port x' }), /--filter 'port x': 'x' is not a port number/);
  assert.throws(() => parsePcapOptions({ expectIp: ['nope'] }), /--expect-ip 'nope'/);
  assert.throws(() => parsePcapOptions({ lang: 'fr' }), /--lang 'fr'/);
  assert.equal(parsePcapOptions({ target: 'www.lab.test:443' }).target?.port, 443);
});
