#!/usr/bin/env node
// Entry point (CommonJS: bin/package.json says so; an ES module entry costs node 5–13 ms more to
// start). It runs the CLI bundle (dist/bundle/, made by `npm run build` / the prepare script with
// esbuild) when it is at least as new as the last TypeScript build, the compiled dist/ otherwise —
// a bare `tsc` after the bundle was made must never run stale code.
//
// `netdx diagnose` takes a fast path (decision 069): dist/bundle/diagnose.cjs, one CommonJS file
// holding only what a diagnosis loads, compiled through vm.Script with a V8 code cache kept beside
// it. The first diagnosis after a build writes the cache; the next ones do not compile their code.
'use strict';
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { debuglog } = require('node:util');
const vm = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const main = join(dist, 'cli', 'main.js');
const bundle = join(dist, 'bundle', 'netdx.js');
const fast = join(dist, 'bundle', 'diagnose.cjs');
const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return null;
  }
};
const built = mtime(join(dist, '.tsbuildinfo'));
/** The file's mtime when it may run (it exists and is not older than the last tsc build), else null. */
const fresh = (p) => {
  const m = process.env.NETDX_NO_BUNDLE ? null : mtime(p);
  return m !== null && (built === null || m >= built) ? m : null;
};

/** The command word: the first argument that is neither an option nor --lang's value. */
const command = (argv) => {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lang') i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return null;
};

/**
 * Where the code cache may be: beside the bundle (written by whoever may write the install, read by
 * everyone), else in the user's own cache directory — never in a shared temporary directory, where
 * another user could plant bytecode for root to run. The name carries the bundle's mtime and node's
 * version: V8 itself checks only the source's length, its own version and its flags, so a rebuilt
 * bundle must never meet an old cache.
 */
function cachePaths(file, stamp) {
  const name = `diagnose.cjs.${Math.round(stamp)}-${process.version}.v8cache`;
  const home = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
  return [join(dirname(file), name), join(home, 'netdx', name)];
}

/**
 * Writes the cache and the list of lazy probes it holds at the first place that takes them (each a
 * temporary file, then a rename): the cache's path, or null. In the user's directory, the caches of
 * earlier builds go (a build empties dist/bundle itself).
 */
function writeCache(paths, data, parts, log) {
  for (const [i, p] of paths.entries()) {
    try {
      mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
      for (const [to, what] of [
        [p, data],
        [`${p}.parts`, parts],
      ]) {
        const tmp = `${to}.${process.pid}.tmp`;
        writeFileSync(tmp, what, { mode: 0o644 });
        renameSync(tmp, to);
      }
      if (i > 0) for (const f of readdirSync(dirname(p))) if (/^diagnose\.cjs\..*\.v8cache(\.parts)?$/.test(f) && !f.startsWith(basename(p))) rmSync(join(dirname(p), f), { force: true });
      return p;
    } catch (err) {
      log(`fast path: compile cache not written to ${p}: ${err.message}`);
    }
  }
  return null;
}

/** The cache at the first of `paths` that has one, and where it was. */
function readCache(paths) {
  for (const at of paths) {
    try {
      return { data: readFileSync(at), at };
    } catch {
      // Not here: the next place.
    }
  }
  return { data: undefined, at: null };
}

/** The lazily loaded probes the cache at `at` holds (none when unrecorded: any lazy probe then writes it again). */
function heldParts(at) {
  try {
    const parts = JSON.parse(readFileSync(`${at}.parts`, 'utf8'));
    return Array.isArray(parts) ? parts : [];
  } catch {
    return [];
  }
}

/**
 * Compiles the diagnosis' CommonJS bundle with its code cache and runs it. After a run that printed
 * a report (exit 0, 1 or 2), the cache is written when there was none, when V8 rejected it, or when
 * the run loaded a probe the cache does not hold yet (a TLS target after a plain TCP one): a cache
 * made after a run that used one holds both runs' code.
 */
async function runFast(file, stamp) {
  const log = debuglog('netdx');
  const paths = cachePaths(file, stamp);
  const found = readCache(paths);
  // The build escapes every non-ASCII character (scripts/bundle.mjs): latin1 reads it as it is, without UTF-8 decoding.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'latin1')}\n})`, {
    filename: file,
    cachedData: found.data,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache = found.data === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  log(`fast path: ${file}, compile cache ${cache}`);
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require('node:module').createRequire(file), mod, file, dirname(file));
  const code = await mod.exports.run(process.argv.slice(2));
  if (code <= 2) {
    const parts = await mod.exports.loadedParts();
    const held = cache === 'used' ? heldParts(found.at) : [];
    if (cache !== 'used' || parts.some((p) => !held.includes(p))) {
      const data = script.createCachedData();
      const all = [...new Set([...held, ...parts])].sort();
      const at = writeCache(paths, data, JSON.stringify(all), log);
      if (at) log(`fast path: compile cache written to ${at} (${data.length} bytes; lazy probes: ${all.join(', ') || 'none'})`);
    }
  }
  mod.exports.exit(code);
}

function start() {
  const stamp = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER && command(process.argv.slice(2)) === 'diagnose' ? fresh(fast) : null;
  if (stamp !== null) return runFast(fast, stamp);
  const entry = fresh(bundle) !== null ? bundle : main;
  if (entry === main && !existsSync(main)) {
    process.stderr.write('netdx: dist/ is missing; run `npm ci` (or `npm run build`) in the netdx checkout first\n');
    process.exit(3);
  }
  return import(pathToFileURL(entry).href);
}

start().catch((err) => {
  process.stderr.write(`netdx: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(3);
});
