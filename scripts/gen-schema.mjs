#!/usr/bin/env node
// Writes docs/report.schema.json from the zod Report schema (the single source of the contract).
import { writeFileSync } from 'node:fs';
import { reportJsonSchema } from '../dist/report/schema.js';
writeFileSync(new URL('../docs/report.schema.json', import.meta.url), JSON.stringify(reportJsonSchema(), null, 2) + '\n');
console.log('wrote docs/report.schema.json');
