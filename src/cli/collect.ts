/** `netdx collect`: write this machine's network state (the Snapshot) as JSON. Read-only. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readError, usageError } from '../model/errors.js';
import { ALL_PARTS, collectSnapshot, type SnapshotPart } from '../system/collect.js';

export function register(program: Command): void {
  program
    .command('collect')
    .description('write the Snapshot (routes, rules, neighbours, addresses, resolver files, firewall, sysctls) as JSON')
    .option('-o, --out <file>', 'write to FILE instead of stdout')
    .option('--only <parts>', `comma-separated subset of: ${ALL_PARTS.join(',')}`)
    .option('--compact', 'one line of JSON instead of indented')
    .action(async (o: { out?: string; only?: string; compact?: boolean }) => {
      let parts: readonly SnapshotPart[] = ALL_PARTS;
      if (o.only !== undefined) {
        const list = o.only.split(',').map((s) => s.trim()).filter(Boolean);
        for (const p of list) if (!(ALL_PARTS as readonly string[]).includes(p)) throw usageError(`--only '${p}': expected some of ${ALL_PARTS.join(', ')}`);
        parts = list as SnapshotPart[];
      }
      const snap = await collectSnapshot({}, parts);
      const text = JSON.stringify(snap, null, o.compact ? 0 : 2) + '\n';
      if (o.out) {
        try {
          writeFileSync(o.out, text);
        } catch (err) {
          throw readError(`--out '${o.out}': cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
        }
      } else process.stdout.write(text);
    });
}
