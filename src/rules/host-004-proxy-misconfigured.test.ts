import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './host-004-proxy-misconfigured.js';
import { assertFinding, commands, proxy, proxyConnect, run } from './fixtures.js';

test('invalid: https_proxy points at a proxy that refuses → HOST-004 naming the variable, credentials masked', () => {
  const obs = [proxy({ variables: [{ name: 'https_proxy', value: 'http://ops:s3cret@198.51.100.8:3128' }] }), proxyConnect({ outcome: 'refused', error: 'ECONNREFUSED' })];
  const f = assertFinding(rule, run(rule, obs, { target: 'https://app.lab.test/' }));
  assert.equal(f.title, 'The proxy 198.51.100.8:3128 set by https_proxy does not answer');
  assert.deepEqual(commands(f), ['unset https_proxy', 'export no_proxy="${no_proxy:+$no_proxy,}app.lab.test"']);
  const text = JSON.stringify(f);
  assert.doesNotMatch(text, /s3cret/);
  assert.match(f.evidence[0]!.summary, /https_proxy=http:\/\/\*\*\*@198\.51\.100\.8:3128/);
});

test('valid: the proxy answers, no proxy applies, or the proxy was not probed → null', () => {
  assert.equal(run(rule, [proxy(), proxyConnect()]), null);
  assert.equal(run(rule, [proxy({ selected: null, noProxyMatch: 'app.lab.test' }), proxyConnect({ outcome: 'refused' })]), null);
  assert.equal(run(rule, [proxy()]), null);
  assert.equal(run(rule, [proxy(), proxyConnect({ host: '198.51.100.9', outcome: 'filtered' })]), null);
  assert.equal(run(rule, []), null);
});
