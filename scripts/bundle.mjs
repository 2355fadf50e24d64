#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/ with esbuild, at install time
// (`npm run build` / the prepare script): one file per lazily loaded command instead of ~150 ES
// modules, which is most of node's start-up for a diagnosis. bin/netdx.js loads the bundle when it
// is newer than the last tsc build (dist/.tsbuildinfo), dist/ otherwise. The lab stays unbundled
// (it finds its server scripts beside its own modules): `netdx lab` loads dist/cli/lab.js.
// dist/bundle/ sits two levels below the checkout like dist/native/, so the addon's relative path
// (../../build/Release/netdx_raw.node) holds in both.
//
// A second, CommonJS bundle holds only what `netdx diagnose` loads (dist/bundle/diagnose.cjs):
// bin/netdx.js runs it through vm.Script with a V8 code cache, so a diagnosis neither compiles its
// code again nor pays the ES module loader per file (decision 069).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // A production install without devDependencies: dist/ alone works, only slower to start.
  process.stderr.write('bundle: esbuild is not installed; netdx runs from dist/ (slower start-up)\n');
  process.exit(0);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

/** `netdx lab` and its modules stay in dist/ (they locate files relative to themselves). */
const labOutside = {
  name: 'lab-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/lab\.js$/ }, (args) => (args.importer.endsWith(`${'cli'}/program.js`) ? { path: '../cli/lab.js', external: true } : undefined));
  },
};

await esbuild.build({
  entryPoints: { netdx: `${root}dist/cli/main.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  // Native bindings find their .node file relative to their own CommonJS module: they stay in node_modules.
  external: ['better-sqlite3'],
  // Some dependencies are CommonJS: give the ESM bundle a require for them.
  banner: { js: "import { createRequire as __ndxCreateRequire } from 'node:module'; const require = __ndxCreateRequire(import.meta.url);" },
  plugins: [labOutside],
  logLevel: 'warning',
  legalComments: 'none',
});

/** In the diagnosis' bundle every other command stays outside, in dist/cli/ (bin/netdx.js sends them to the ES module bundle). */
const othersOutside = {
  name: 'others-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) =>
      args.importer.endsWith(`${'cli'}/program.js`) && !['./diagnose.js', './help-zh.js'].includes(args.path) ? { path: `../cli/${args.path.slice(2)}`, external: true } : undefined,
    );
  },
};

await esbuild.build({
  entryPoints: [`${root}dist/cli/start.js`],
  outfile: `${outdir}/diagnose.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  external: ['better-sqlite3'],
  // The file sits beside the ES module bundle: every import.meta.url of the ES build means the same directory here.
  define: { 'import.meta.url': '__ndxUrl' },
  banner: { js: "var __ndxUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [othersOutside],
  logLevel: 'warning',
  legalComments: 'none',
});

// esbuild leaves non-ASCII characters in comments and regular expression literals. One of them
// makes V8 hold the whole 1.4 MB source as a two-byte string, which node decodes from UTF-8 on
// every start (~20 ms here). As \uXXXX escapes they mean the same in comments, strings, regular
// expressions and identifiers alike (the bundle has no raw template text, where they would not).
const cjs = `${outdir}/diagnose.cjs`;
writeFileSync(
  cjs,
  readFileSync(cjs, 'utf8').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
);
