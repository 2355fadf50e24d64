import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from './text.js';
import { diagnose } from '../diagnose/engine.js';
import { fakeDeps } from '../diagnose/testing.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';

const spreadUnavailable = async (q: { address: string; port: number }) => [
  observation('tcp.spread', { address: q.address, port: q.port, method: 'unavailable' as const, reason: 'raw sockets: raw sockets need root or CAP_NET_RAW', flows: [], answered: 0, lost: 0 }),
];

test('text: a healthy report says so, lists every layer, and names what could not be checked (en, zh)', async () => {
  const { deps } = fakeDeps({ spread: spreadUnavailable });
  const r = await diagnose(parseTarget('203.0.113.10:5000'), { ...DEFAULT_OPTIONS }, deps);
  const en = renderText(r, { lang: 'en', color: false });
  assert.match(en, /^netdx diagnose 203\.0\.113\.10:5000 {2}\(tcp\)/);
  for (const layer of ['host', 'dns', 'network', 'tunnel', 'transport', 'tls', 'app']) assert.match(en, new RegExp(`\\n  ${layer} +\\S`), layer);
  assert.match(en, /\nNot checked:\n {2}flow spread \(SYNs from several source ports, for per-flow balancing\): raw sockets: raw sockets need root/);
  const zh = renderText(r, { lang: 'zh', color: false });
  assert.match(zh, /\n未检查:\n {2}多源端口 SYN 探测/);
  assert.ok(!en.includes('\u001b['), 'no colour codes when colour is off');
});

test('text: nothing to say → no "Not checked" section', async () => {
  const { deps } = fakeDeps();
  const r = await diagnose(parseTarget('203.0.113.10:5000'), { ...DEFAULT_OPTIONS }, deps);
  assert.doesNotMatch(renderText(r, { lang: 'en', color: false }), /Not checked/);
});
