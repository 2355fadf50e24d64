import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankFindings } from './rank.js';
import type { Finding } from '../model/report.js';
import type { RuleMeta } from '../rules/types.js';
import type { Layer, Severity } from '../model/layer.js';

const f = (code: string, layer: Layer, severity: Severity = 'error'): Finding => ({ code, slug: code.toLowerCase(), layer, severity, title: code, explanation: '', evidence: [], fix: [] });
const metas: Record<string, Partial<RuleMeta>> = {
  'NET-001': { explains: ['DNS-001', 'TCP-002'] },
  'HOST-003': { explains: ['TLS-002', 'TLS-001'] },
  'NET-009': { explains: ['TLS-009'] },
  'NET-004': { explains: ['VPN-002'] },
  'VPN-002': { explains: ['TCP-002'] },
};
const order = ['HOST-003', 'DNS-001', 'NET-001', 'NET-004', 'NET-005', 'NET-009', 'VPN-002', 'TCP-002', 'TLS-002', 'TLS-008', 'TLS-009'];
const metaOf = (code: string) => ({ ...(metas[code] ?? {}), order: order.indexOf(code) }) as RuleMeta & { order: number };

test('a finding that explains another is primary, even from a higher layer', () => {
  const r = rankFindings([f('TLS-002', 'tls'), f('HOST-003', 'host')], metaOf);
  assert.equal(r.primary?.code, 'HOST-003');
  assert.equal(r.findings.find((x) => x.code === 'TLS-002')?.explainedBy, 'HOST-003');
});

test('no route explains the unreachable resolver', () => {
  const r = rankFindings([f('DNS-001', 'dns'), f('NET-001', 'network')], metaOf);
  assert.equal(r.primary?.code, 'NET-001');
  assert.deepEqual(
    r.findings.map((x) => [x.code, x.explainedBy]),
    [
      ['NET-001', undefined],
      ['DNS-001', 'NET-001'],
    ],
  );
});

test('explanation chains resolve to the root', () => {
  const r = rankFindings([f('TCP-002', 'transport'), f('VPN-002', 'tunnel'), f('NET-004', 'network')], metaOf);
  assert.equal(r.primary?.code, 'NET-004');
  assert.equal(r.findings.find((x) => x.code === 'TCP-002')?.explainedBy, 'NET-004');
  assert.equal(r.findings.find((x) => x.code === 'VPN-002')?.explainedBy, 'NET-004');
});

test('otherwise the lowest failing layer wins', () => {
  const r = rankFindings([f('TLS-009', 'tls'), f('TCP-002', 'transport')], metaOf);
  assert.equal(r.primary?.code, 'TCP-002');
  assert.equal(r.findings[1]?.explainedBy, undefined);
});

test('warnings are never primary and do not explain', () => {
  const r = rankFindings([f('NET-005', 'network', 'warning'), f('TLS-008', 'tls', 'warning')], metaOf);
  assert.equal(r.primary, null);
  const r2 = rankFindings([f('NET-001', 'network', 'warning'), f('DNS-001', 'dns')], metaOf);
  assert.equal(r2.primary?.code, 'DNS-001');
  assert.equal(r2.findings.find((x) => x.code === 'DNS-001')?.explainedBy, undefined);
});

test('errors rank before warnings', () => {
  const r = rankFindings([f('NET-005', 'network', 'warning'), f('TLS-009', 'tls')], metaOf);
  assert.deepEqual(
    r.findings.map((x) => x.code),
    ['TLS-009', 'NET-005'],
  );
});
