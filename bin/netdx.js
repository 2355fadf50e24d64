#!/usr/bin/env node
// Entry point: runs the CLI bundle (dist/bundle/, made by `npm run build` / the prepare script
// with esbuild) when it is at least as new as the last TypeScript build, the compiled dist/
// otherwise — a bare `tsc` after the bundle was made must never run stale code.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const main = join(dist, 'cli', 'main.js');
const bundle = join(dist, 'bundle', 'netdx.js');
const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return null;
  }
};
const built = mtime(join(dist, '.tsbuildinfo'));
const bundled = process.env.NETDX_NO_BUNDLE ? null : mtime(bundle);
const entry = bundled !== null && (built === null || bundled >= built) ? bundle : main;
if (entry === main && !existsSync(main)) {
  process.stderr.write('netdx: dist/ is missing; run `npm ci` (or `npm run build`) in the netdx checkout first\n');
  process.exit(3);
}
await import(entry);
