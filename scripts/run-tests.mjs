#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's test runner and
// prints node's spec output followed by one plain closing line:
//   "tests: N passed, N failed, N skipped"
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('dist')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/ (did the build run?)');
  process.exit(1);
}
let passed = 0,
  failed = 0,
  skipped = 0;
const stream = run({ files, concurrency: 2, timeout: 30 * 60 * 1000 });
stream.on('test:pass', (ev) => {
  if (ev.details?.type === 'suite') return;
  if (ev.skip || ev.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (ev) => {
  if (ev.details?.type === 'suite') return;
  failed++;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  // let the spec reporter flush first
  setImmediate(() => {
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
});
