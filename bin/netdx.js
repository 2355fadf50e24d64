#!/usr/bin/env node
// Entry point: runs the compiled CLI (dist/ is built by `npm ci` via the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('netdx: dist/ is missing; run `npm ci` (or `npm run build`) in the netdx checkout first\n');
  process.exit(3);
}
await import(main);
