import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, loadMonitorConfig, parseMonitorConfig, parseDurationMs } from './config.js';
import { EXIT } from '../model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ndx-moncfg-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

const good = `interval: 10s
down-after: 3
targets:
  - name: app
    target: app.corp.test:443
    ca: ${ca}
    interval: 5s
    labels: { region: sh }
  - name: ping
    target: 198.51.100.7
    check_timeout: 800ms
  - name: web
    target: https://www.lab.test/health
    warnDays: 14
    expect-ip: [203.0.113.10]
`;

test('a good config: defaults, per-target overrides, options by long name (kebab, snake or camel)', () => {
  const c = parseMonitorConfig(good, 'mon.yaml', 'en');
  assert.equal(c.intervalMs, 10_000);
  assert.equal(c.targets.length, 3);
  const [app, ping, web] = c.targets;
  assert.equal(app!.intervalMs, 5000);
  assert.equal(app!.target.protocol, 'tls');
  assert.equal(app!.options.caFile, ca);
  assert.deepEqual(app!.labels, { region: 'sh' });
  assert.equal(app!.downAfter, 3);
  assert.equal(app!.upAfter, 1);
  assert.equal(app!.checkTimeoutMs, 5000);
  assert.equal(app!.line, 4);
  assert.equal(ping!.target.protocol, 'icmp');
  assert.equal(ping!.checkTimeoutMs, 800);
  assert.equal(web!.options.certWarnDays, 14);
  assert.deepEqual(web!.options.expectIp, ['203.0.113.10']);
  assert.equal(web!.target.path, '/health');
});

function bad(text: string, lang: 'en' | 'zh' = 'en'): ConfigError {
  try {
    parseMonitorConfig(text, 'mon.yaml', lang);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('each bad field is one error naming file, line and field; exit 64', () => {
  const cases: Array<[string, RegExp]> = [
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    colour: red\n', /^mon\.yaml:4: unknown field 'colour'/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n  - name: a\n    target: 198.51.100.2\n', /^mon\.yaml:4: duplicate target name 'a' \(first at line 2\)/],
    ['interval: 10x\ntargets:\n  - name: a\n    target: 198.51.100.1\n', /^mon\.yaml:1: interval '10x': expected a duration from 1s to 1h/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    interval: 500ms\n', /^mon\.yaml:4: interval '500ms'/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    tls-min: 1.7\n', /^mon\.yaml:4: field tls-min: --tls-min '1.7'/],
    ['targets:\n  - name: a\n    target: "not a host!"\n', /^mon\.yaml:3: target: target 'not a host!'/],
    ['targets:\n  - target: 198.51.100.1\n', /^mon\.yaml:2: field 'name' is required/],
    ['targets: []\n', /^mon\.yaml:1: 'targets' must be a non-empty list/],
    ['interval: 10s\n', /^mon\.yaml:1: 'targets' must be a non-empty list/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    labels: { target: x }\n', /^mon\.yaml:4: label 'target'/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    down-after: 0\n', /^mon\.yaml:4: down-after '0': expected a whole number from 1 to 100/],
    ['targets:\n  - name: a\n  target: [\n', /^mon\.yaml:\d+: not valid YAML/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    target: 198.51.100.2\n', /^mon\.yaml:4: not valid YAML/],
    ['- 1\n- 2\n', /^mon\.yaml:1: expected a mapping/],
    ['targets:\n  - name: a\n    target: 198.51.100.1\n    cert: /x.pem\n', /^mon\.yaml:4: field cert: --cert and --key/],
  ];
  for (const [text, re] of cases) {
    const e = bad(text);
    assert.match(e.message, re, text);
    assert.equal(e.exitCode, EXIT.usage);
  }
});

test('an unreadable CA file or config file: exit 3, naming the file and line', () => {
  const e = bad(`targets:\n  - name: a\n    target: 198.51.100.1:443\n    ca: ${dir}/missing.pem\n`);
  assert.match(e.message, /^mon\.yaml:4: field ca: --ca '.*missing\.pem': cannot read \(ENOENT\)/);
  assert.equal(e.exitCode, EXIT.cannot);
  assert.throws(
    () => loadMonitorConfig(join(dir, 'nope.yaml'), 'en'),
    (err: ConfigError) => err.exitCode === EXIT.cannot && /config '.*nope\.yaml': cannot read \(ENOENT\)/.test(err.message),
  );
});

test('errors in Chinese', () => {
  assert.match(bad('targets:\n  - name: a\n    target: 198.51.100.1\n    colour: red\n', 'zh').text('zh'), /^mon\.yaml:4：未知字段 'colour'/);
  assert.match(bad('targets:\n  - name: a\n    target: 198.51.100.1\n  - name: a\n    target: 198.51.100.2\n', 'zh').text('zh'), /目标名称 'a' 重复/);
  // The same error in English: each error carries both, the CLI prints the reader's.
  assert.match(bad('targets:\n  - name: a\n    target: 198.51.100.1\n    colour: red\n', 'zh').message, /^mon\.yaml:4: unknown field 'colour'/);
});

test('durations', () => {
  assert.equal(parseDurationMs('1s'), 1000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs('7'), 7000);
  assert.equal(parseDurationMs('-1s'), null);
  assert.equal(parseDurationMs('s'), null);
});

test('property: any text is a config or one ConfigError, never a crash', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.constantFrom(good).map((g) => g),
        fc.tuple(fc.constantFrom(good), fc.nat(good.length), fc.string()).map(([g, i, s]) => g.slice(0, i) + s + g.slice(i)),
      ),
      (text) => {
        try {
          parseMonitorConfig(text, 'p.yaml', 'en');
        } catch (err) {
          assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
          assert.match(err.message, /^p\.yaml:\d+/);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('diagnose options by long name (a fleet command sends them so): the config’s own names, expect-ip as a list, an unknown name refused', async () => {
  const { rawOptionsByLongName } = await import('./config.js');
  assert.deepEqual(rawOptionsByLongName({ 'expect-ip': '203.0.113.80, 203.0.113.81', 'tls-min': '1.2', warn_days: 30 }), {
    expectIp: ['203.0.113.80', '203.0.113.81'],
    tlsMin: '1.2',
    warnDays: '30',
  });
  assert.throws(() => rawOptionsByLongName({ 'no-such': 'x' }), /options: unknown field 'no-such'/);
});
