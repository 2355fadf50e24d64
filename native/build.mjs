#!/usr/bin/env node
// Builds the raw-socket addon (build/Release/netdx_raw.node) with node-gyp during `npm ci`.
// Never fails the install: without the addon netdx falls back to the system's ping/tracepath
// and says what it skipped. Headers come from the local Node installation (no download).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const prefix = dirname(dirname(process.execPath)); // /usr for /usr/bin/node
const nodedir = [process.env.npm_config_nodedir, prefix].find((d) => d && existsSync(join(d, 'include', 'node', 'node_api.h')));

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  for (const base of [join(prefix, 'lib', 'node_modules', 'npm'), dirname(process.env.npm_execpath ?? '')]) {
    const p = join(base, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(p)) return p;
  }
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

const gyp = nodeGyp();
if (!gyp || !nodedir) {
  process.stdout.write(`netdx: raw-socket addon not built (${!gyp ? 'node-gyp not found' : 'Node headers not found'}); netdx will use ping/tracepath instead` + '\n');
  process.exit(0);
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { stdio: 'inherit' });
if (r.status !== 0) process.stdout.write('netdx: raw-socket addon build failed; netdx will use ping/tracepath instead' + '\n');
process.exit(0);
