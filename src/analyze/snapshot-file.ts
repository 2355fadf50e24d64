/**
 * Reading a Snapshot bundle collected elsewhere (`netdx collect > snap.json`): validated once at
 * the edge with zod, so the analyzers never meet a malformed route or rule. Unreadable file → a
 * read error (exit 3); not JSON or not a snapshot → an input error (exit 64); one line each.
 * The schema lives with the types in src/model/snapshot-schema.ts.
 */
import { readFile } from 'node:fs/promises';
import { snapshotSchema } from '../model/snapshot-schema.js';
import { inputError, readError } from '../model/errors.js';
import { E } from '../model/error-messages.js';
import type { Snapshot } from '../model/snapshot.js';

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/** The most specific issue: inside a union, the branch that got furthest. */
function deepest(issue: Issue, prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const here = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    let best: { path: PropertyKey[]; message: string } | null = null;
    for (const branch of issue.errors) for (const sub of branch) {
      const d = deepest(sub, here);
      if (!best || d.path.length > best.path.length) best = d;
    }
    if (best) return best;
  }
  return { path: here, message: issue.message };
}

/** Parses snapshot JSON text; an input error names the first thing that is wrong. */
export function parseSnapshot(text: string, name: string): Snapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw inputError(E('notJson', { name }));
  }
  const r = snapshotSchema.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues[0] as Issue | undefined;
    const issue = first ? deepest(first) : undefined;
    const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '';
    if (typeof doc !== 'object' || doc === null || (doc as { schema?: unknown }).schema !== 'netdx.snapshot/v1') throw inputError(E('notSnapshot', { name }));
    throw inputError(E('badSnapshot', { name, detail: `${path ? `${path}: ` : ''}${(issue?.message ?? 'invalid').replace(/\s+/g, ' ').slice(0, 160)}` }));
  }
  return r.data;
}

/** Reads and validates a snapshot file ('-' reads stdin). */
export async function readSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? E('noSuchFile') : code === 'EACCES' || code === 'EPERM' ? E('permission') : code === 'EISDIR' ? E('isDir') : (code ?? 'cannot read');
    throw readError(E('readFile', { path, why }), err);
  }
  return parseSnapshot(text, path);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
