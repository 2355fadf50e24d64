// Which src/ folder may import which (netdx's own code only; npm packages and node: are free).
// One source of truth: eslint.config.js turns it into no-restricted-imports per folder, and
// src/arch.test.ts checks the whole import graph (dynamic imports too) against it.
// A folder not listed may import anything but the CLI, the lab and the benches (see `anyBut`).
// Test support (*.test.ts, *fixtures*.ts, testing*.ts) may reach anywhere.

export const BOUNDARIES = {
  /** The vocabulary: types, schemas, pure helpers. Imports nothing of netdx. */
  model: [],
  /** Pure analyzers over the model (route lookup, firewall evaluation, trace statistics). */
  analyze: ['model'],
  /** One file per fault code: judges observations; knows the model and the analyzers. */
  rules: ['model', 'analyze'],
  /** Renderers and catalogs: speak the model (and analyzer results); never run rules. */
  report: ['model', 'analyze'],
  /** The raw-socket addon's TypeScript side. */
  native: ['model'],
  /** Collectors (read-only views of the machine). */
  system: ['model', 'analyze'],
  /** Probes: one question to the network each. */
  probes: ['model', 'analyze', 'native', 'system'],
  /** The engine: may use everything below the CLI. */
  diagnose: ['model', 'analyze', 'rules', 'report', 'native', 'system', 'probes'],
};

/** Single files with a tighter rule than their folder: [file, forbidden folders, why]. */
export const FILE_RULES = [
  ['src/cli/trace.ts', ['rules'], 'findings come from diagnose/judge (judgeFindings), text from report/'],
  ['src/cli/analyze.ts', ['rules'], 'text comes from report/'],
];

export const TEST_SUPPORT = ['src/**/*.test.ts', 'src/**/*fixtures*.ts', 'src/**/testing*.ts'];

/** The folders a folder may import, or null when it is free. */
export const allowedFor = (folder) => (folder in BOUNDARIES ? BOUNDARIES[folder] : null);
