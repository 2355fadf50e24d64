/**
 * The Report: the JSON contract of `netdx diagnose --json` (../shared/report-contract.md).
 * The zod schema is the single source: TypeScript types are inferred from it and
 * docs/report.schema.json is generated from it (scripts/gen-schema.mjs).
 */
import { z } from 'zod';
import { LAYERS, LAYER_STATUSES, SEVERITIES } from './layer.js';
import { PROTOCOLS } from './target.js';
import { REPORT_SCHEMA_ID } from './report-id.js';
import type { Msg } from './message.js';

export { REPORT_SCHEMA_ID };

/**
 * A message: catalog id and parameters (src/model/message.ts). Beside each human-text field X,
 * `XMsg` carries the message X was rendered from, so a reader can show it in any language; X
 * itself is the English text.
 */
export const MessageSchema: z.ZodType<Msg> = z
  .object({
    id: z.string().describe('catalog id, e.g. NET-001.title or skip.noPort'),
    get params() {
      return z
        .record(z.string(), z.union([z.string(), z.number(), MessageSchema, z.array(z.union([z.string(), z.number(), MessageSchema]))]))
        .optional()
        .describe('values of the placeholders: data (string, number), a nested message, or a list of these');
    },
  })
  .meta({ id: 'Message' });

export const EvidenceSchema = z.object({
  observation: z.string().describe('kind of the observation this evidence rests on'),
  summary: z.string(),
  summaryMsg: MessageSchema.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const FixSchema = z.object({
  summary: z.string(),
  summaryMsg: MessageSchema.optional(),
  command: z.string().optional().describe('a real command with the case values filled in; absent when the fix is not a command'),
});

export const FindingSchema = z.object({
  code: z.string().regex(/^[A-Z]+-[0-9]{3}$/),
  slug: z.string(),
  layer: z.enum(LAYERS),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  titleMsg: MessageSchema.optional(),
  explanation: z.string(),
  explanationMsg: MessageSchema.optional(),
  evidence: z.array(EvidenceSchema),
  fix: z.array(FixSchema),
  explainedBy: z.string().optional(),
});

export const LayerRowSchema = z.object({
  layer: z.enum(LAYERS),
  status: z.enum(LAYER_STATUSES),
  ms: z.number(),
  reason: z.string().optional(),
  reasonMsg: MessageSchema.optional(),
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
  verdict: z.enum(['ok', 'degraded', 'fault']),
  primary: FindingSchema.nullable(),
  findings: z.array(FindingSchema),
  layers: z.array(LayerRowSchema),
  observations: z.array(ObservationSchema),
  lang: z.enum(['en', 'zh']).optional().describe('the language the reader asked for; the text fields are English, their *Msg siblings render in any language'),
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
  if (!hasError && r.findings.some((f) => f.severity === 'warning') !== (r.verdict === 'degraded')) out.push('verdict must be degraded exactly when only warnings exist');
  if (r.primary && r.primary.severity !== 'error') out.push('primary must be an error finding');
  for (const f of r.findings) {
    for (const fx of f.fix) if (fx.command && /<[a-z_-]+>/i.test(fx.command)) out.push(`${f.code}: fix command has a placeholder: ${fx.command}`);
  }
  return out;
}
