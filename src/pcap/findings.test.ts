import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureReader } from './reader.js';
import { Analyzer } from './flows.js';
import { judge, type JudgeOptions } from './findings.js';
import { buildReport } from './report.js';
import { ReportSchema, contractViolations } from '../model/report.js';
import { CASES } from './testing.js';
import { compileFilter } from './filter.js';
import { assertMessages } from '../rules/fixtures.js';
import { englishProse } from '../rules/zh-fixtures.js';
import { speak } from '../model/message.js';
import type { Finding } from '../model/report.js';

function analyze(buf: Buffer, o: Partial<JudgeOptions> = {}, filter?: string): { codes: string[]; a: Analyzer; report: ReturnType<typeof buildReport> } {
  const a = new Analyzer({ filter: filter ? compileFilter(filter) : null });
  const r = new CaptureReader(a.onPacket, 'case');
  r.push(buf);
  const info = r.finish();
  const findings = judge(a, { lang: 'en', ...o });
  const report = buildReport({ a, info, file: 'case.pcap', findings, target: null, lang: o.lang ?? 'en', startedAt: new Date(0), durationMs: 1 });
  return { codes: report.findings.map((f) => f.code), a, report };
}

const expected: Array<[string, string[], Partial<JudgeOptions>?]> = [
  ['healthy', []],
  ['tcp-001', ['TCP-001']],
  ['tcp-002', ['TCP-002']],
  ['tcp-003', ['TCP-003']],
  ['tcp-004', ['TCP-004']],
  ['tcp-006', ['TCP-006']],
  ['net-009', ['NET-009']],
  ['net-009-icmp', ['NET-009']],
  ['net-002', ['NET-002']],
  ['net-004', ['NET-004']],
  ['dns-002', ['DNS-002']],
  ['dns-003', ['DNS-003']],
  ['dns-005', ['DNS-005'], { expectIp: ['203.0.113.10'] }],
  ['tls-alert-version', ['TLS-006']],
  ['tls-alert-client-cert', ['TLS-007']],
  ['tls-001', ['TLS-001']],
  ['tls-002', ['TLS-002']],
  ['tls-003', ['TLS-003']],
  ['app-001', ['APP-001']],
];

for (const [name, codes, o] of expected) {
  test(`capture case ${name}: ${codes.join(', ') || 'no finding'}, a valid report with packet evidence`, () => {
    const { codes: got, report } = analyze(CASES[name]!(), o);
    assert.deepEqual(
      got.filter((c) => codes.includes(c) || !['TLS-004'].includes(c)),
      codes,
      `${name}: ${JSON.stringify(report.findings.map((f) => [f.code, f.title]))}`,
    );
    ReportSchema.parse(report);
    assert.deepEqual(contractViolations(report), []);
    for (const f of report.findings) {
      assert.ok(f.evidence.length > 0);
      assert.ok(
        f.evidence.some((e) => (e.packets ?? []).length > 0),
        `${f.code} has packet evidence`,
      );
      for (const fx of f.fix) assert.doesNotMatch(fx.summary + (fx.command ?? ''), /\{[a-zA-Z]+\}/);
    }
  });
}

test('every case judged in Chinese has Chinese titles and explanations', () => {
  for (const [name, , o] of expected) {
    const { report } = analyze(CASES[name]!(), { ...o, lang: 'zh' });
    for (const f of report.findings) assert.match(f.title + f.explanation, /[\u4e00-\u9fff]/, `${name} ${f.code}`);
  }
});

/** The lab captures (tcpdump in namespaces and on loopback, scripts/pcap-lab-fixtures.sh) with the judge options each needs. */
const LAB: Record<string, Partial<JudgeOptions>> = {
  'lab-tcp-002.pcap': {},
  'lab-tcp-003.pcap': {},
  'lab-app-001.pcap': {},
  'lab-dns.pcap': {},
  'lab-net-002.pcap': {},
  'lab-tcp-006.pcap': {},
  'lo-tcp.pcap': {},
  'lab-diagnose-tcp-002.pcap': {},
  'lab-diagnose-tcp-003.pcap': {},
  'lab-diagnose-net-009.pcap': {},
  'lo-tls12.pcap': {},
  'lab-dns-005.pcap': { expectIp: ['198.51.100.131'] },
  'lab-net-004.pcap': {},
  'lab-tls12-expired.pcap': {},
  'lab-tls12-future.pcap': {},
  'lab-tls12-mtls.pcap': {},
};

/** Every capture the findings tests judge: [label, judge it in a language]. */
async function everyCapture(): Promise<Array<[string, (lang: 'en' | 'zh') => Finding[]]>> {
  const { readCaptureFile } = await import('./read.js');
  const { fileURLToPath } = await import('node:url');
  const dir = fileURLToPath(new URL('../../src/pcap/fixtures/', import.meta.url));
  return [
    ...expected.map(([name, , o]): [string, (lang: 'en' | 'zh') => Finding[]] => [name, (lang) => analyze(CASES[name]!(), { ...o, lang }).report.findings]),
    ...Object.entries(LAB).map(([file, o]): [string, (lang: 'en' | 'zh') => Finding[]] => [
      file,
      (lang) => {
        const a = new Analyzer();
        readCaptureFile(dir + file, a.onPacket);
        return judge(a, { ...o, lang });
      },
    ]),
  ];
}

/** The texts a reader sees of a finding rendered from its messages in a language, labelled. */
const spoken = (f: Finding, lang: 'en' | 'zh'): Array<[string, string]> => [
  ['title', speak(f.title, f.messages?.title, lang)],
  ['explanation', speak(f.explanation, f.messages?.explanation, lang)],
  ...f.evidence.map((e, i): [string, string] => [`evidence[${i}] (${e.observation})`, speak(e.summary, e.message, lang)]),
  ...f.fix.map((x, i): [string, string] => [`fix[${i}]`, speak(x.summary, x.message, lang)]),
];

test('messages are data: every text of every capture finding carries its message, in en and in zh', async () => {
  let n = 0;
  for (const [label, judgeIn] of await everyCapture()) {
    const en = judgeIn('en');
    const zh = judgeIn('zh');
    assert.deepEqual(
      zh.map((f) => f.code),
      en.map((f) => f.code),
      label,
    );
    en.forEach((f, i) => {
      assertMessages(f, 'en');
      assertMessages(zh[i]!, 'zh');
      // The English report rendered in zh (as `netdx pcap` renders a JSON report) reads as the zh judgement.
      assert.deepEqual(spoken(f, 'zh'), spoken(zh[i]!, 'zh'), `${label} ${f.code}`);
      assert.deepEqual(JSON.parse(JSON.stringify(f)), f, `${label} ${f.code}: the finding survives JSON`);
      n++;
    });
  }
  assert.ok(n >= 30, `findings checked: ${n}`);
});

test('the zh rendering of every capture finding holds no English prose', async () => {
  const bad: string[] = [];
  for (const [label, judgeIn] of await everyCapture())
    for (const f of judgeIn('en'))
      for (const [where, text] of spoken(f, 'zh')) {
        const prose = englishProse(text);
        if (prose.length > 0) bad.push(`${label} ${f.code} ${where}: ${JSON.stringify(text)} — English: ${prose.map((p) => JSON.stringify(p)).join(', ')}`);
      }
  assert.deepEqual(bad, [], bad.join('\n'));
});

test('a heartbeat whose connection ends says so in both languages', async () => {
  const { CaptureWriter, TcpConv } = await import('./writer.js');
  const { CLIENT, SERVER, T0 } = await import('./testing.js');
  const w = new CaptureWriter();
  // Every heartbeat answered, then none for 40 s (four beats), and the client resets the connection.
  const c = new TcpConv(w, CLIENT, SERVER, 40000, 7000, T0).handshake(1);
  for (let i = 0; i < 5; i++) c.tick(10_000).data('c', Buffer.from('PING\n')).tick(2).data('s', Buffer.from('PONG\n')).tick(1).ack('c');
  c.tick(40_000).rst('c');
  const { codes, report } = analyze(w.toBuffer());
  const en = report.findings.find((f) => f.code === 'APP-001');
  assert.ok(en, JSON.stringify(codes));
  const beats = en.evidence[0]!;
  assert.equal(beats.message?.id, 'pcap.APP-001.beats');
  assert.match(beats.summary, /; then the connection ends$/);
  assertMessages(en, 'en');
  assert.deepEqual(englishProse(speak(beats.summary, beats.message, 'zh')), [], speak(beats.summary, beats.message, 'zh'));
});

test('Zeek states, handshake RTT, retransmissions, MSS and window scale', () => {
  const { a } = analyze(CASES['healthy']!());
  const f = a.tcp[0]!;
  assert.equal(f.state, 'SF');
  assert.equal(f.rttMs, 2);
  assert.deepEqual([f.d[0].mss, f.d[1].mss, f.d[0].wscale, f.d[1].wscale], [1460, 1460, 7, 7]);
  assert.equal(analyze(CASES['tcp-001']!()).a.tcp[0]!.state, 'REJ');
  assert.equal(analyze(CASES['tcp-002']!()).a.tcp[0]!.state, 'S0');
  assert.equal(analyze(CASES['tcp-004']!()).a.tcp[0]!.state, 'RSTR');
  const n9 = analyze(CASES['net-009']!()).a.tcp[0]!;
  assert.equal(n9.d[0].retrans, 4);
  assert.equal(analyze(CASES['tcp-002']!()).a.tcp[0]!.d[0].retrans, 2);
});

test('TLS: SNI, versions and the chain are read from segments split across packets', () => {
  const { a } = analyze(CASES['tls-003']!());
  const f = a.tcp[0]!;
  const ce = f.d[0].tls!.events;
  const se = f.d[1].tls!.events;
  assert.equal(ce[0]!.sni, 'other.lab.test');
  assert.deepEqual(ce[0]!.versions, [0x0304, 0x0303]);
  assert.equal(se[0]!.kind, 'serverHello');
  assert.equal(se[1]!.kind, 'certificate');
  assert.equal(se[1]!.certs!.length, 1);
});

test('--filter narrows the analysis; --target focuses findings', () => {
  const buf = CASES['tcp-002']!();
  assert.deepEqual(analyze(buf, {}, 'port 9999').codes, []);
  assert.deepEqual(analyze(buf, {}, 'tcp and port 8443').codes, ['TCP-002']);
  assert.deepEqual(analyze(buf, { targetHost: '203.0.113.10', targetPort: 8443 }).codes, ['TCP-002']);
  assert.deepEqual(analyze(buf, { targetHost: '203.0.113.10', targetPort: 80 }).codes, []);
});

test('finished connections fold into the totals: the summary is the same, the live table smaller', async () => {
  const { CaptureWriter, TcpConv } = await import('./writer.js');
  const { summarize } = await import('./report.js');
  const { CLIENT, SERVER, T0 } = await import('./testing.js');
  const w = new CaptureWriter();
  for (let i = 0; i < 5; i++)
    new TcpConv(w, CLIENT, SERVER, 40000 + i, 443, T0 + i * 1000)
      .handshake(1)
      .data('c', 100)
      .data('s', 1000 * (i + 1))
      .close();
  new TcpConv(w, CLIENT, SERVER, 41000, 444, T0 + 10_000).syn().tick(1).rst('s');
  const buf = w.toBuffer();
  const run = (retireAt: number | null): ReturnType<typeof summarize> & { live: number; codes: string[] } => {
    const a = new Analyzer();
    const r = new CaptureReader(a.onPacket, 'x');
    r.push(buf);
    const info = r.finish();
    if (retireAt !== null) a.retire(retireAt);
    return { ...summarize(a, info, 'x'), live: a.tcp.length, codes: judge(a, { lang: 'en' }).map((f) => f.code) };
  };
  const plain = run(null);
  const folded = run(T0 + 120_000_000);
  assert.equal(plain.live, 6);
  assert.equal(folded.live, 1, 'the REJ connection stays: a finding rests on it');
  assert.deepEqual(folded.codes, ['TCP-001']);
  for (const k of ['tcpConnections', 'tcpStates', 'retransmissions', 'handshakeRttMs', 'topTalkers', 'conversations'] as const) assert.deepEqual(folded[k], plain[k], k);
});

test('lab captures (tcpdump in namespaces and on loopback, scripts/pcap-lab-fixtures.sh): the code each was made for', async () => {
  const { readCaptureFile } = await import('./read.js');
  const { fileURLToPath } = await import('node:url');
  const dir = fileURLToPath(new URL('../../src/pcap/fixtures/', import.meta.url));
  const want: Record<string, string[]> = {
    'lab-tcp-002.pcap': ['TCP-002'],
    'lab-tcp-003.pcap': ['TCP-003'],
    'lab-app-001.pcap': ['APP-001'],
    'lab-dns.pcap': ['DNS-002', 'DNS-003'],
    'lab-net-002.pcap': ['NET-002'],
    // the server's conntrack forgets the idle flow after 3 s and drops what follows (as a NAT that forgot it)
    'lab-tcp-006.pcap': ['TCP-006'],
    'lo-tcp.pcap': ['TCP-001', 'TCP-004'],
    // `netdx diagnose --capture` in the lab's client host (scripts/pcap-lab-scenarios.mjs), cut to 160-200 bytes a packet with editcap.
    'lab-diagnose-tcp-002.pcap': ['TCP-002', 'TCP-002'],
    'lab-diagnose-tcp-003.pcap': ['TCP-003', 'TCP-003'],
    'lab-diagnose-net-009.pcap': ['NET-009'],
    'lo-tls12.pcap': ['TLS-003', 'TLS-004', 'TLS-006'],
    // A resolver that answers with another address than the one expected.
    'lab-dns-005.pcap': ['DNS-005'],
    // The field case on one LAN: a host route hands 203.0.113.80 to a second router (its own MAC) while the gateway carries the rest.
    'lab-net-004.pcap': ['NET-004'],
    // openssl s_server -tls1_2 with the lab PKI, s_client checking the chain: the chain is in the clear.
    'lab-tls12-expired.pcap': ['TLS-001'],
    // The client's bad_certificate alert joins TLS-002 (the chain shows why); no separate TLS-004.
    'lab-tls12-future.pcap': ['TLS-002'],
    'lab-tls12-mtls.pcap': ['TLS-007'],
  };
  const options: Record<string, Partial<JudgeOptions>> = { 'lab-dns-005.pcap': { expectIp: ['198.51.100.131'] } };
  for (const [file, codes] of Object.entries(want)) {
    const a = new Analyzer();
    const info = readCaptureFile(dir + file, a.onPacket);
    assert.deepEqual(info.warnings, [], file);
    assert.deepEqual(
      judge(a, { lang: 'en', ...options[file] })
        .map((f) => f.code)
        .sort(),
      codes,
      file,
    );
  }
  // TCP-006's fix sets a keepalive below the silence that killed the flow (5 s here), not above it.
  const a = new Analyzer();
  readCaptureFile(dir + 'lab-tcp-006.pcap', a.onPacket);
  const f = judge(a, { lang: 'en' }).find((x) => x.code === 'TCP-006')!;
  assert.match(f.title, /dies after 5 s idle/);
  assert.equal(f.fix[0]!.command, 'sysctl -w net.ipv4.tcp_keepalive_time=4 net.ipv4.tcp_keepalive_intvl=1');
  // The rejection is evidence of the certificate finding: the client's alert and the chain's dates.
  const b = new Analyzer();
  readCaptureFile(dir + 'lab-tls12-future.pcap', b.onPacket);
  const g = judge(b, { lang: 'en' })[0]!;
  assert.ok(g.evidence.some((e) => /alert bad_certificate \(fatal\) from the client/.test(e.summary)));
  assert.ok(g.evidence.some((e) => /^Certificate #\d+: 2 certificate\(s\), leaf CN=future\.lab\.test/.test(e.summary)));
  // NET-004 names the second router and the gateway by address and MAC.
  const c = new Analyzer();
  readCaptureFile(dir + 'lab-net-004.pcap', c.onPacket);
  assert.match(judge(c, { lang: 'en' })[0]!.title, /^Traffic to 203\.0\.113\.80 goes via 198\.51\.100\.66 \([0-9a-f:]{17}\), not via 198\.51\.100\.1 \([0-9a-f:]{17}\)$/);
});

test('MSS clamp (the same SYN on both sides of a middlebox), zero windows, duplicate ACKs', async () => {
  const { CaptureWriter, frame, tcp } = await import('./writer.js');
  const { CLIENT, SERVER, T0 } = await import('./testing.js');
  const w = new CaptureWriter({ format: 'pcapng' });
  const inside = w.interface(1, 6);
  const syn = (mss: number): Buffer => frame(CLIENT, SERVER, 6, tcp({ sport: 40000, dport: 443, seq: 99, flags: 2, mss, wscale: 7 }));
  w.packet(T0, syn(1460), { iface: 0 });
  w.packet(T0 + 30, syn(1400), { iface: inside });
  w.packet(T0 + 1000, frame(SERVER, CLIENT, 6, tcp({ sport: 443, dport: 40000, seq: 5, ack: 100, flags: 18, mss: 1460, wscale: 9 })));
  w.packet(T0 + 1100, frame(CLIENT, SERVER, 6, tcp({ sport: 40000, dport: 443, seq: 100, ack: 6, flags: 16 })));
  for (let i = 0; i < 3; i++) w.packet(T0 + 1200 + i, frame(CLIENT, SERVER, 6, tcp({ sport: 40000, dport: 443, seq: 100 + i * 100, ack: 6, flags: 24 }, Buffer.alloc(100))));
  for (let i = 0; i < 3; i++) w.packet(T0 + 1300 + i, frame(SERVER, CLIENT, 6, tcp({ sport: 443, dport: 40000, seq: 6, ack: 200, flags: 16, win: 1000 })));
  w.packet(T0 + 1400, frame(SERVER, CLIENT, 6, tcp({ sport: 443, dport: 40000, seq: 6, ack: 400, flags: 16, win: 0 })));
  const { a, report } = analyze(w.toBuffer());
  const f = a.tcp[0]!;
  assert.deepEqual(f.d[0].mssClamp && { from: f.d[0].mssClamp.from, to: f.d[0].mssClamp.to, n: f.d[0].mssClamp.n }, { from: 1460, to: 1400, n: 2 });
  assert.deepEqual([f.d[0].wscale, f.d[1].wscale, f.d[1].mss], [7, 9, 1460]);
  assert.equal(f.d[1].dupAcks, 2);
  assert.equal(f.d[1].zeroWin, 1);
  assert.deepEqual(report.capture?.conversations[0]?.mssClamp, { from: 1460, to: 1400, packet: 2 });
  assert.equal(report.capture?.zeroWindows, 1);
});
