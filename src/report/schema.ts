/** JSON Schema of the Report, generated from the zod schema (docs/report.schema.json). */
import { z } from 'zod';
import { ReportSchema } from '../model/report.js';

export function reportJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { $id: 'https://netdx.invalid/schemas/netdx.report.v1.json', title: 'netdx diagnose --json report (netdx.report/v1)', ...s };
}
