/**
 * The server's target list (`netdx server --targets FILE`): the monitor's YAML (docs/monitor.md),
 * handed to every agent as it is. The server reads only each target's name and address from it,
 * to ask agents for comparison diagnoses; the agents validate the whole file with the monitor's
 * parser. Reloaded on SIGHUP.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument, isMap, isSeq, isScalar } from 'yaml';
import { inBoth, usageError, readError } from '../model/errors.js';
import { ft } from './messages.js';

export interface FleetTargets {
  /** Changes whenever the YAML does (the config's ETag). */
  version: string;
  yaml: string;
  byName: Map<string, { input: string }>;
}

export function parseTargets(yaml: string, file: string): FleetTargets {
  const byName = new Map<string, { input: string }>();
  if (yaml.trim() !== '') {
    const doc = parseDocument(yaml);
    if (doc.errors.length > 0) {
      const why = doc.errors[0]!.message.split('\n')[0]!;
      throw usageError({ en: ft('en', 'cli.targetsYaml', { file, why }), zh: ft('zh', 'cli.targetsYaml', { file, why }) });
    }
    const root = doc.contents;
    const targets = isMap(root) ? root.get('targets', true) : null;
    if (!isSeq(targets)) throw usageError({ en: ft('en', 'cli.targetsList', { file }), zh: ft('zh', 'cli.targetsList', { file }) });
    for (const item of targets.items) {
      if (!isMap(item)) continue;
      const name = item.get('name', true);
      const target = item.get('target', true);
      if (isScalar(name) && isScalar(target)) byName.set(String(name.value), { input: String(target.value) });
    }
  }
  return { version: createHash('sha256').update(yaml).digest('hex').slice(0, 16), yaml, byName };
}

export function loadTargets(file: string | null): FleetTargets {
  if (file === null) return parseTargets('', '(none)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw readError(
      inBoth((l) => ft(l, 'cli.read', { file, code: (err as NodeJS.ErrnoException).code ?? 'error' })),
      err,
    );
  }
  return parseTargets(text, file);
}
