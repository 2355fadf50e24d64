#!/usr/bin/env node
// Runs lab scenarios with `netdx diagnose --capture` inside the client host and keeps each capture:
// real captures of each fault, for `netdx pcap` (needs root; builds and removes its own lab).
//   node scripts/pcap-lab-scenarios.mjs OUTDIR SCENARIO_ID...
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Lab } from '../dist/lab/lab.js';
import { diagnoseArgv, diagnoseEnv } from '../dist/lab/runner.js';
import { SCENARIOS } from '../dist/lab/scenarios/index.js';

const [outDir, ...ids] = process.argv.slice(2);
if (!outDir || ids.length === 0) {
  console.error('usage: node scripts/pcap-lab-scenarios.mjs OUTDIR SCENARIO_ID...');
  process.exit(64);
}
const out = resolve(outDir);
mkdirSync(out, { recursive: true });
const lab = await Lab.up({ log: (l) => console.error(`lab: ${l}`) });
try {
  for (const id of ids) {
    const s = SCENARIOS.find((x) => x.id === id);
    if (!s) {
      console.error(`${id}: no such scenario`);
      continue;
    }
    try {
      if (s.inject) await s.inject(lab);
      const file = `${out}/${id}.pcap`;
      const r = await lab.exec(s.host ?? 'client', [...diagnoseArgv(lab, s, true), '--capture', file], { env: diagnoseEnv(s), timeoutMs: 120_000 });
      let primary = '?';
      try {
        primary = JSON.parse(r.stdout).primary?.code ?? 'ok';
      } catch {
        /* not a report */
      }
      console.log(`${id}: diagnose → ${primary}; ${r.stderr.trim().split('\n').pop()}`);
    } finally {
      const problems = await lab.revert();
      if (problems.length > 0) console.error(`${id}: revert: ${problems.join('; ')}`);
    }
  }
} finally {
  await lab.down();
}
