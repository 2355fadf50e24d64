import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTarget, formatHostPort } from './target.js';
import { NetdxError } from './errors.js';

const ok: Array<[string, object, Partial<ReturnType<typeof parseTarget>>]> = [
  ['srv.lab.test', {}, { host: 'srv.lab.test', port: null, protocol: 'icmp', ipFamily: null }],
  ['srv.lab.test:8080', {}, { host: 'srv.lab.test', port: 8080, protocol: 'tcp' }],
  ['srv.lab.test:443', {}, { port: 443, protocol: 'tls' }],
  ['SRV.Lab.Test.', {}, { host: 'srv.lab.test' }],
  ['198.51.100.7', {}, { host: '198.51.100.7', ipFamily: 4, protocol: 'icmp' }],
  ['198.51.100.7:22', {}, { port: 22, protocol: 'tcp', ipFamily: 4 }],
  ['2001:db8::1', {}, { host: '2001:db8::1', ipFamily: 6, port: null }],
  ['[2001:db8::1]:443', {}, { host: '2001:db8::1', port: 443, protocol: 'tls', ipFamily: 6 }],
  ['[2001:0db8:0000::0001]', {}, { host: '2001:db8::1', port: null }],
  ['tcp://srv.lab.test:5000', {}, { protocol: 'tcp', port: 5000 }],
  ['tls://srv.lab.test', {}, { protocol: 'tls', port: 443 }],
  ['https://srv.lab.test/health?x=1', {}, { protocol: 'https', port: 443, path: '/health?x=1' }],
  ['http://[::1]:8080', {}, { protocol: 'http', port: 8080, host: '::1' }],
  ['http://srv.lab.test', {}, { protocol: 'http', port: 80, path: '/' }],
  ['srv.lab.test', { port: 443 }, { port: 443, protocol: 'tls' }],
  ['srv.lab.test', { port: 25 }, { port: 25, protocol: 'tcp' }],
  ['srv.lab.test:443', { protocol: 'tcp' }, { port: 443, protocol: 'tcp' }],
  ['127.0.0.1:9', { protocol: 'tls' }, { port: 9, protocol: 'tls' }],
  // A TLS-only option means TLS on any port.
  ['srv.lab.test:1010', { tlsOption: '--ca' }, { port: 1010, protocol: 'tls' }],
  ['srv.lab.test', { tlsOption: '--sni' }, { port: 443, protocol: 'tls' }],
  ['https://srv.lab.test:8443/', { tlsOption: '--ca' }, { port: 8443, protocol: 'https' }],
  ['srv.lab.test:1010', { tlsOption: '--ca', protocol: 'tls' }, { port: 1010, protocol: 'tls' }],
];

for (const [input, opts, want] of ok) {
  test(`parseTarget('${input}', ${JSON.stringify(opts)})`, () => {
    const t = parseTarget(input, opts);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((t as unknown as Record<string, unknown>)[k], v, k);
    assert.equal(t.input, input);
  });
}

test('a TLS-only option with a scheme or --protocol that is not TLS is a usage error, never silently ignored', () => {
  for (const [input, opts] of [
    ['tcp://srv.lab.test:1010', { tlsOption: '--ca' }],
    ['srv.lab.test:1010', { tlsOption: '--tls-min', protocol: 'tcp' as const }],
    ['http://srv.lab.test/', { tlsOption: '--pin' }],
  ] as const) {
    assert.throws(
      () => parseTarget(input, opts),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && /applies to TLS/.test(e.message),
    );
  }
});

const bad: Array<[string, RegExp]> = [
  [':::bad', /not a host or IPv6 address/],
  ['', /empty/],
  ['srv.lab.test:0', /1 to 65535/],
  ['srv.lab.test:70000', /1 to 65535/],
  ['srv.lab.test:http', /1 to 65535/],
  ['ftp://srv.lab.test', /unsupported scheme/],
  ['tcp://srv.lab.test', /tcp needs a port/],
  ['[2001:db8::1', /unclosed/],
  ['[srv.lab.test]:80', /not an IPv6 address/],
  ['bad_host-.lab', /not a host name/],
  ['1.2.3.999', /not a host name/],
  ['a b', /not a host name/],
  ['https://user:pw@srv.lab.test', /credentials/],
  ['user:pw@srv.lab.test:443', /credentials/],
  ['bücher..example', /not a host name/],
  ['-x.lab.test', /not a host name/],
];
for (const [input, re] of bad) {
  test(`parseTarget rejects '${input}' with one clear line`, () => {
    assert.throws(
      () => parseTarget(input),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && re.test(e.message) && !e.message.includes('\n'),
    );
  });
}

test('parseTarget: any string either parses or is a one-line usage error', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (s) => {
      try {
        const t = parseTarget(s);
        assert.ok(t.host.length > 0);
      } catch (e) {
        assert.ok(e instanceof NetdxError, `unexpected ${String(e)}`);
        assert.equal(e.exitCode, 64);
        assert.ok(!e.message.includes('\n'));
      }
    }),
    { numRuns: 2000 },
  );
});

test('formatHostPort brackets IPv6', () => {
  assert.equal(formatHostPort('2001:db8::1', 443), '[2001:db8::1]:443');
  assert.equal(formatHostPort('srv.lab.test', null), 'srv.lab.test');
});

test('an internationalized name goes out as its A-label (punycode), as curl and browsers send it; the display keeps the Unicode form', () => {
  const t = parseTarget('bücher.lab.test:443');
  assert.equal(t.host, 'xn--bcher-kva.lab.test');
  assert.equal(t.display, 'bücher.lab.test');
  assert.equal(t.input, 'bücher.lab.test:443');
  assert.equal(parseTarget('https://Bücher.Lab.Test/x').host, 'xn--bcher-kva.lab.test');
  assert.equal(parseTarget('例え.テスト').host, 'xn--r8jz45g.xn--zckzah');
  assert.equal(parseTarget('srv.lab.test').display, undefined, 'an ASCII name has no display form');
});

test('credentials in a target are refused and never echoed', () => {
  for (const input of [
    'https://alice:s3cretPW@srv.lab.test/',
    'tls://alice:s3cretPW@srv.lab.test',
    'alice:s3cretPW@srv.lab.test:443',
    's3cretPW@srv.lab.test',
    'http://s3cretPW@[2001:db8::1]:8080/',
  ]) {
    assert.throws(
      () => parseTarget(input),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && /credentials/.test(e.message) && !e.message.includes('s3cretPW') && !e.message.includes('alice'),
      input,
    );
  }
  // An '@' in a URL path is no credential.
  assert.equal(parseTarget('https://srv.lab.test/u/@me').path, '/u/@me');
});
