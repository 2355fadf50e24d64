import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './app-002-http-error.js';
import { assertFinding, http, run } from './fixtures.js';

const T = { target: 'https://app.lab.test/' };

test('invalid: 502 from the proxy → APP-002 error explaining bad gateway', () => {
  const f = assertFinding(rule, run(rule, [http({ status: 502, server: 'nginx' })], T));
  assert.equal(f.title, 'https://app.lab.test/ answers HTTP 502');
  assert.match(f.explanation, /502 \(Server: nginx\): the proxy in front of the application got no valid answer/);
  assert.match(f.fix[0]!.summary, /application\/proxy log for https:\/\/app\.lab\.test\//);
  assert.equal(f.evidence[0]!.data?.status, 502);
});

test('invalid: an unexpected 404 is an error; 429 only a warning', () => {
  const f = assertFinding(rule, run(rule, [http({ status: 404 })], { ...T, lang: 'zh' }));
  assert.match(f.title, /HTTP错误状态码/);
  assert.match(f.fix[0]!.summary, /URL 路径/);
  assertFinding(rule, run(rule, [http({ status: 429 })], T), 'warning');
});

test('valid: 2xx, 3xx, 401/403 (credentials netdx does not send), no response, or no request → null', () => {
  for (const status of [200, 204, 301, 302, 304, 401, 403]) assert.equal(run(rule, [http({ status })], T), null, `status ${status}`);
  assert.equal(run(rule, [http({ outcome: 'timeout', status: null })], T), null);
  assert.equal(run(rule, [], T), null);
});
