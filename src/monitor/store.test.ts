import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEP, Store } from './store.js';
import type { Report } from '../model/report.js';

const rep = (code: string | null): Report =>
  ({ schema: 'netdx.report/v1', verdict: code ? 'fault' : 'ok', primary: code ? { code } : null, findings: [], layers: [], observations: [] }) as unknown as Report;

test('the store keeps the last 1,000 changes and reports, and a reopened store has them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndx-store-'));
  const s = Store.open(dir);
  assert.equal(s.writable, true);
  for (let i = 0; i < KEEP + 50; i++) s.recordChange({ target: i % 2 ? 'a' : 'b', at: i, from: 'up', to: i % 3 ? 'down' : 'up', code: 'TLS-001', reason: null });
  for (let i = 0; i < KEEP + 5; i++) s.recordReport('a', i, rep(i === KEEP + 4 ? 'TLS-001' : null));
  assert.equal(s.count('changes'), KEEP);
  assert.equal(s.count('reports'), KEEP);
  s.close();
  const again = Store.open(dir);
  const states = again.lastStates();
  assert.equal(states.get('a')!.at, KEEP + 49);
  assert.equal(states.get('b')!.at, KEEP + 48);
  assert.equal(again.lastReports().get('a')!.report.primary?.code, 'TLS-001');
  assert.equal(again.changes('a', 5).length, 5);
  assert.equal(again.changes('a', 5)[0]!.at, KEEP + 49);
  again.close();
});

test('a store that cannot be written says so once and keeps going; the old history stays readable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndx-store-'));
  const s = Store.open(dir);
  s.recordChange({ target: 'a', at: 1, from: 'unknown', to: 'down', code: 'NET-004', reason: 'x' });
  s.close();
  const events: string[] = [];
  const ro = Store.open(dir, { onWritable: (w, why) => events.push(`${w}:${why}`) }, { readonly: true });
  assert.equal(ro.writable, false);
  ro.recordChange({ target: 'a', at: 2, from: 'down', to: 'up', code: null, reason: null });
  ro.recordReport('a', 2, rep(null));
  assert.equal(events.length, 1, 'said once');
  assert.equal(ro.lastStates().get('a')!.code, 'NET-004');
  ro.close();
  // A directory that cannot even be created (under a file): no store, no crash.
  writeFileSync(join(dir, 'plain-file'), '');
  const none = Store.open(join(dir, 'plain-file', 'x'), { onWritable: (w) => events.push(String(w)) });
  assert.equal(none.writable, false);
  none.recordChange({ target: 'a', at: 3, from: 'up', to: 'down', code: null, reason: null });
  assert.deepEqual(none.changes(null), []);
});
