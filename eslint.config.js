import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { BOUNDARIES, FILE_RULES, TEST_SUPPORT } from './scripts/import-boundaries.mjs';

/** no-restricted-imports for one folder: at each depth below src/F, '../'×(depth+1) leaves F; only the allowed folders are let through (a regex: gitignore negation does not re-allow in this rule). */
function boundary(folder, allowed) {
  return [0, 1, 2].map((depth) => {
    const files = [`src/${folder}/${'*/'.repeat(depth)}*.ts`];
    const message =
      allowed.length === 0 ? `src/${folder} imports nothing of netdx (scripts/import-boundaries.mjs)` : `src/${folder} may import only ${allowed.join(', ')} (scripts/import-boundaries.mjs)`;
    const regex = `^(\\.\\./){${depth + 1}}${allowed.length > 0 ? `(?!(${allowed.join('|')})/)` : ''}`;
    return { files, ignores: TEST_SUPPORT, rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] } };
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'docs/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // TypeScript itself rejects undefined names; ESLint's no-undef does not know Node's globals or types.
  { files: ['**/*.ts'], rules: { 'no-undef': 'off' } },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', AbortSignal: 'readonly', AbortController: 'readonly' } },
  },
  // The bin is CommonJS (bin/package.json): an ES module entry costs node 5–13 ms more to start.
  { files: ['bin/**/*.js'], languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Long functions hide their steps: at most 100 lines of code (blank lines and comments not counted); tests and fixtures are data.
  { files: ['**/*.ts', '**/*.js', '**/*.mjs'], ignores: [...TEST_SUPPORT, 'test/**'], rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }] } },
  ...Object.entries(BOUNDARIES).flatMap(([folder, allowed]) => boundary(folder, allowed)),
  ...FILE_RULES.map(([file, forbidden, why]) => ({
    files: [file],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden.map((f) => `../${f}/**`), message: `${file} must not import ${forbidden.join(', ')}: ${why}` }] }] },
  })),
  { files: ['src/cli/**', 'scripts/**', 'bench/**', 'bin/**', 'src/lab/**', 'src/bench/**'], rules: { 'no-console': 'off' } },
);
