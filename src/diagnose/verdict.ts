/**
 * The verdict of a report, from its findings and layer rows — one function for `netdx diagnose`
 * and `netdx analyze` (docs/decisions/010-verdict-unknown.md):
 * - `fault`     some finding has severity error (primary = the top-ranked one);
 * - `unknown`   no error finding, but a layer on the target's path stayed `unknown` and no layer
 *               above it passed: netdx could not judge the target (exit 3), `undetermined` says
 *               which layer and why (the raw probe error);
 * - `degraded`  warnings only;
 * - `ok`        every layer that was walked passed (or was not applicable).
 * "Above it passed" matters: an unknown sub-check under a layer that then worked (ICMP not
 * permitted, but the TCP connect and the TLS handshake went through) does not hide a fault.
 */
import { layerIndex } from '../model/layer.js';
import type { Finding, LayerRow, Report } from '../model/report.js';

export interface VerdictOf {
  verdict: Report['verdict'];
  /** For `unknown`: the layers netdx could not judge, lowest first, each with its reason. */
  undetermined?: Array<{ layer: LayerRow['layer']; reason: string }>;
}

/** The layers that stayed `unknown` with no working layer above them (lowest first). */
export function undeterminedLayers(layers: readonly LayerRow[]): Array<{ layer: LayerRow['layer']; reason: string }> {
  const out: Array<{ layer: LayerRow['layer']; reason: string }> = [];
  for (const row of layers) {
    if (row.status !== 'unknown') continue;
    const above = layers.some((r) => layerIndex(r.layer) > layerIndex(row.layer) && (r.status === 'pass' || r.status === 'warn'));
    if (!above) out.push({ layer: row.layer, reason: row.reason ?? '' });
  }
  return out;
}

export function verdictOf(findings: readonly Finding[], layers: readonly LayerRow[]): VerdictOf {
  if (findings.some((f) => f.severity === 'error')) return { verdict: 'fault' };
  const undetermined = undeterminedLayers(layers);
  if (undetermined.length > 0) return { verdict: 'unknown', undetermined };
  if (findings.some((f) => f.severity === 'warning')) return { verdict: 'degraded' };
  return { verdict: 'ok' };
}
