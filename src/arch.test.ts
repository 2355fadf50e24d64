/**
 * The import rules (scripts/import-boundaries.mjs) hold for the whole source tree — static and
 * dynamic imports — and ESLint enforces them (a forbidden import in a model file is flagged).
 * Also: no import cycle among src/native's files (api.ts ⇄ connect.ts was one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// From dist/: the repo root is ../
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = join(ROOT, 'src');

interface Boundaries {
  BOUNDARIES: Record<string, string[]>;
  FILE_RULES: Array<[string, string[], string]>;
}

function sources(dir = SRC, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const testSupport = (rel: string): boolean => /\.test\.ts$|fixtures[^/]*\.ts$|(^|\/)testing[^/]*\.ts$/.test(rel);

/** Every relative import of a file (import … from, export … from, import()), as repo-relative .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  const out: string[] = [];
  for (let m = re.exec(text); m; m = re.exec(text))
    out.push(
      relative(ROOT, normalize(join(dirname(file), m[1]!)))
        .split(sep)
        .join('/')
        .replace(/\.js$/, '.ts'),
    );
  return out;
}

const folderOf = (rel: string): string => rel.split('/')[1] ?? '';

test('every import in src/ follows scripts/import-boundaries.mjs (static and dynamic)', async () => {
  const { BOUNDARIES, FILE_RULES } = (await import(new URL('../scripts/import-boundaries.mjs', import.meta.url).href)) as Boundaries;
  const bad: string[] = [];
  for (const file of sources()) {
    const rel = relative(ROOT, file).split(sep).join('/');
    if (testSupport(rel)) continue;
    const from = folderOf(rel);
    const allowed = BOUNDARIES[from];
    const tighter = FILE_RULES.find(([f]) => f === rel);
    for (const to of importsOf(file)) {
      const dest = folderOf(to);
      if (!to.startsWith('src/') || dest === from || !to.slice(4).includes('/')) continue;
      if (allowed && !allowed.includes(dest)) bad.push(`${rel} → ${to} (src/${from} may import ${allowed.join(', ') || 'nothing of netdx'})`);
      if (tighter && tighter[1].includes(dest)) bad.push(`${rel} → ${to} (${tighter[2]})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('ESLint enforces them: a model file importing a collector is flagged, an analyzer importing the model is not, cli/trace.ts may not import rules', async () => {
  const { ESLint } = await import('eslint');
  const eslint = new ESLint({ cwd: ROOT });
  const [r] = await eslint.lintText("import { collectSnapshot } from '../system/collect.js';\nexport const c = collectSnapshot;\n", { filePath: join(ROOT, 'src/model/x.ts') });
  assert.ok(
    r!.messages.some((m) => m.ruleId === 'no-restricted-imports'),
    JSON.stringify(r!.messages),
  );
  const [ok] = await eslint.lintText("import { ofKind } from '../model/observation.js';\nexport const o = ofKind;\n", { filePath: join(ROOT, 'src/analyze/x.ts') });
  assert.deepEqual(
    ok!.messages.filter((m) => m.ruleId === 'no-restricted-imports'),
    [],
  );
  const [trace] = await eslint.lintText("import { rule } from '../rules/net-003-path-blackhole.js';\nexport const r = rule;\n", { filePath: join(ROOT, 'src/cli/trace.ts') });
  assert.ok(trace!.messages.some((m) => m.ruleId === 'no-restricted-imports'));
});

test('no import cycle inside src/native (api.ts ⇄ connect.ts was one)', () => {
  const files = sources(join(SRC, 'native')).filter((f) => !f.endsWith('.test.ts'));
  const graph = new Map(files.map((f) => [relative(ROOT, f).split(sep).join('/'), importsOf(f).filter((t) => t.startsWith('src/native/'))]));
  const cycle = (start: string): string[] | null => {
    const walk = (n: string, path: string[]): string[] | null => {
      for (const next of graph.get(n) ?? []) {
        if (next === start) return [...path, next];
        if (!path.includes(next)) {
          const c = walk(next, [...path, next]);
          if (c) return c;
        }
      }
      return null;
    };
    return walk(start, [start]);
  };
  for (const f of graph.keys()) assert.equal(cycle(f), null, `cycle: ${cycle(f)?.join(' → ')}`);
});
