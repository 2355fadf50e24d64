import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { reportJsonSchema } from './schema.js';

test('docs/report.schema.json is generated from the zod schema and up to date (npm run docs)', () => {
  const onDisk = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(reportJsonSchema())));
});

test('the schema names every required top-level field of the contract', () => {
  const s = reportJsonSchema() as { required?: string[] };
  for (const k of ['schema', 'target', 'startedAt', 'durationMs', 'verdict', 'primary', 'findings', 'layers', 'observations']) assert.ok(s.required?.includes(k), k);
});
