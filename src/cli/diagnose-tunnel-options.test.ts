import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiagnoseOptions, type RawDiagnoseOptions } from './diagnose-options.js';
import { NetdxError } from '../model/errors.js';

const bad: Array<[RawDiagnoseOptions, string]> = [
  [{ tunnel: 'wg0; rm -rf /' }, "--tunnel 'wg0; rm -rf /': expected an interface name (1–15 letters, digits, _ . - @ :)"],
  [{ tunnel: 'a-very-long-interface-name' }, "--tunnel 'a-very-long-interface-name': expected an interface name (1–15 letters, digits, _ . - @ :)"],
  [{ tunnelIdle: 'forever' }, "--tunnel-idle 'forever': expected a duration like 5s, 800ms or 2m"],
  [{ tunnelIdle: '1s' }, "--tunnel-idle '1s': expected at least 2s"],
];

for (const [raw, message] of bad) {
  test(`bad tunnel option ${JSON.stringify(raw)} → exit 64 with one line`, () => {
    assert.throws(
      () => parseDiagnoseOptions(raw, 'en'),
      (e: unknown) => e instanceof NetdxError && e.exitCode === 64 && e.message === message,
    );
  });
}

test('--tunnel and --tunnel-idle reach the options', () => {
  const { options } = parseDiagnoseOptions({ tunnel: 'wg0', tunnelIdle: '90s' }, 'en');
  assert.equal(options.tunnel, 'wg0');
  assert.equal(options.tunnelIdleMs, 90_000);
  const none = parseDiagnoseOptions({}, 'en').options;
  assert.equal(none.tunnel, undefined);
  assert.equal(none.tunnelIdleMs, undefined);
});
