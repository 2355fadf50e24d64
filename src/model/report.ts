/**
 * The Report: the JSON contract of `netdx diagnose --json` (../shared/report-contract.md).
 * The zod schema is the single source: TypeScript types are inferred from it and
 * docs/report.schema.json is generated from it (scripts/gen-schema.mjs).
 */
import { z } from 'zod';
import { LAYERS, LAYER_STATUSES, SEVERITIES } from './layer.js';
import { PROTOCOLS } from './target.js';
import { REPORT_SCHEMA_ID } from './report-id.js';

export { REPORT_SCHEMA_ID };

export const EvidenceSchema = z.object({
  observation: z.string().describe('kind of the observation this evidence rests on'),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const FixSchema = z.object({
  summary: z.string(),
  command: z.string().optional().describe('a real command with the case values filled in; absent when the fix is not a command'),
});

export const FindingSchema = z.object({
  code: z.string().regex(/^[A-Z]+-[0-9]{3}$/),
  slug: z.string(),
  layer: z.enum(LAYERS),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  explanation: z.string(),
  evidence: z.array(EvidenceSchema),
  fix: z.array(FixSchema),
  explainedBy: z.string().optional(),
});

export const LayerRowSchema = z.object({
  layer: z.enum(LAYERS),
  status: z.enum(LAYER_STATUSES),
  ms: z.number(),
  reason: z.string().optional(),
});

export const ObservationSchema = z.object({
  kind: z.string(),
  at: z.string(),
  ms: z.number(),
  data: z.unknown(),
});

export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  target: z.object({
    input: z.string(),
    host: z.string(),
    port: z.number().int().nullable(),
    protocol: z.enum(PROTOCOLS),
    addresses: z.array(z.string()).optional(),
  }),
  startedAt: z.string(),
  durationMs: z.number(),
  verdict: z.enum(['ok', 'degraded', 'fault', 'unknown']).describe('unknown: no error finding, but a layer on the target\'s path could not be judged (see undetermined); exit 3'),
  /** With verdict `unknown`: the layers netdx could not judge, each with the raw reason (docs/decisions/010). */
  undetermined: z.array(z.object({ layer: z.enum(LAYERS), reason: z.string() })).optional(),
  primary: FindingSchema.nullable(),
  findings: z.array(FindingSchema),
  layers: z.array(LayerRowSchema),
  observations: z.array(ObservationSchema),
  lang: z.enum(['en', 'zh']).optional(),
  /** Set by `netdx analyze`: the report judges a snapshot, not this machine now. */
  snapshot: z.object({ hostname: z.string(), collectedAt: z.string() }).optional(),
});

export type Evidence = z.infer<typeof EvidenceSchema>;
export type Fix = z.infer<typeof FixSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type LayerRow = z.infer<typeof LayerRowSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type Verdict = Report['verdict'];

/** Contract invariants beyond the shape (report-contract.md "Rules"). Returns the broken ones. */
export function contractViolations(r: Report): string[] {
  const out: string[] = [];
  const hasError = r.findings.some((f) => f.severity === 'error');
  if (hasError !== (r.primary !== null)) out.push('primary must be null exactly when no finding has severity error');
  if (hasError !== (r.verdict === 'fault')) out.push('verdict must be fault exactly when some finding has severity error');
  const undetermined = (r.undetermined ?? []).length > 0;
  if (!hasError && r.verdict === 'unknown' && !undetermined) out.push('verdict unknown must say which layer could not be judged (undetermined)');
  if (r.verdict !== 'unknown' && undetermined) out.push('undetermined is set only with verdict unknown');
  if (!hasError && r.verdict !== 'unknown' && r.findings.some((f) => f.severity === 'warning') !== (r.verdict === 'degraded')) out.push('verdict must be degraded exactly when only warnings exist');
  if (r.primary && r.primary.severity !== 'error') out.push('primary must be an error finding');
  for (const f of r.findings) {
    for (const fx of f.fix) if (fx.command && /<[a-z_-]+>/i.test(fx.command)) out.push(`${f.code}: fix command has a placeholder: ${fx.command}`);
  }
  return out;
}
