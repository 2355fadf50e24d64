/**
 * Reading a Snapshot bundle collected elsewhere (`netdx collect > snap.json`): validated once at
 * the edge with zod, so the analyzers never meet a malformed route or rule. Unreadable file → a
 * read error (exit 3); not JSON or not a snapshot → an input error (exit 64); one line each.
 * The schema lives with the types in src/model/snapshot-schema.ts.
 */
import { snapshotSchema } from '../model/snapshot-schema.js';
import { inputError, NetdxError, readError } from '../model/errors.js';
import { MAX_BYTES, readInputFile, readInputStream } from '../model/input-file.js';
import type { Snapshot } from '../model/snapshot.js';

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/** The most specific issue: inside a union, the branch that got furthest. */
function deepest(issue: Issue, prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const here = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    let best: { path: PropertyKey[]; message: string } | null = null;
    for (const branch of issue.errors)
      for (const sub of branch) {
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
    throw inputError({ en: `${name}: not JSON (expected a snapshot written by netdx collect)`, zh: `${name}：不是 JSON（应为 netdx collect 生成的快照）` });
  }
  const r = snapshotSchema.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues[0] as Issue | undefined;
    const issue = first ? deepest(first) : undefined;
    const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '';
    if (typeof doc !== 'object' || doc === null || (doc as { schema?: unknown }).schema !== 'netdx.snapshot/v1')
      throw inputError({ en: `${name}: not a netdx snapshot (expected "schema": "netdx.snapshot/v1")`, zh: `${name}：不是 netdx 快照（应有 "schema": "netdx.snapshot/v1"）` });
    const why = (issue?.message ?? 'invalid').replace(/\s+/g, ' ').slice(0, 160);
    throw inputError({ en: `${name}: not a valid snapshot: ${path ? `${path}: ` : ''}${why}`, zh: `${name}：快照内容无效：${path ? `${path}：` : ''}「${why}」` });
  }
  return r.data;
}

/** Reads and validates a snapshot file ('-' reads stdin). */
export async function readSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    // Only a regular file (or stdin), at most MAX_BYTES.snapshot: /dev/zero or a FIFO fails at once.
    const o = { what: 'snapshot', maxBytes: MAX_BYTES.snapshot };
    text = (path === '-' ? await readInputStream(process.stdin, o) : readInputFile(path, o)).toString('utf8');
  } catch (err) {
    if (err instanceof NetdxError && err.code === 'E_INPUT') throw err;
    const cause = err instanceof NetdxError ? err.cause : err;
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? 'cannot read');
    const whyZh = code === 'ENOENT' ? '文件不存在' : code === 'EACCES' || code === 'EPERM' ? '权限不足' : code === 'EISDIR' ? '是目录' : (code ?? '读取失败');
    throw readError({ en: `cannot read ${path}: ${why}`, zh: `无法读取 ${path}：${whyZh}` }, err);
  }
  return parseSnapshot(text, path);
}
