/**
 * Reading a Snapshot bundle collected elsewhere (`netdx collect > snap.json`): validated once at
 * the edge with zod, so the analyzers never meet a malformed route or rule. Unreadable file → a
 * read error (exit 3); not JSON or not a snapshot → an input error (exit 64); one line each.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { tunnelsSchema } from '../system/tunnel-schema.js';
import { inputError, readError } from '../model/errors.js';
import { E } from '../model/error-messages.js';
import type { Snapshot } from '../system/types.js';

const collected = <T extends z.ZodType>(value: T) => z.union([z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), unavailable: z.string() })]);

const nexthop = z.looseObject({ gateway: z.string().nullable(), dev: z.string().nullable(), weight: z.number().nullable() });
const route = z.looseObject({
  family: z.union([z.literal(4), z.literal(6)]),
  table: z.string(),
  type: z.string(),
  dst: z.string(),
  gateway: z.string().nullable(),
  dev: z.string().nullable(),
  src: z.string().nullable(),
  metric: z.number().nullable(),
  protocol: z.string().nullable(),
  scope: z.string().nullable(),
  nexthops: z.array(nexthop),
  text: z.string(),
  flags: z.array(z.string()).optional(),
  from: z.string().optional(),
  tos: z.string().optional(),
});
const policyRule = z.looseObject({
  family: z.union([z.literal(4), z.literal(6)]),
  priority: z.number(),
  src: z.string().nullable(),
  dst: z.string().nullable(),
  action: z.string(),
  table: z.string().nullable(),
  fwmark: z.string().nullable(),
  iif: z.string().nullable(),
  oif: z.string().nullable(),
  not: z.boolean(),
  text: z.string(),
  goto: z.number().optional(),
  suppressPrefixlen: z.number().optional(),
  other: z.array(z.string()).optional(),
});
const address = z.looseObject({ family: z.union([z.literal(4), z.literal(6)]), address: z.string(), prefixlen: z.number(), scope: z.string() });
const link = z.looseObject({ name: z.string(), index: z.number(), up: z.boolean(), addresses: z.array(address) });

export const snapshotSchema = z.looseObject({
  schema: z.literal('netdx.snapshot/v1'),
  collectedAt: z.string(),
  hostname: z.string(),
  kernel: z.string(),
  uid: z.number(),
  links: collected(z.array(link)),
  routes: collected(z.array(route)),
  rules: collected(z.array(policyRule)),
  neighbors: collected(z.array(z.looseObject({}))),
  resolv: collected(z.looseObject({ nameservers: z.array(z.string()), search: z.array(z.string()) })),
  hosts: collected(z.looseObject({ entries: z.array(z.looseObject({ address: z.string(), names: z.array(z.string()) })) })),
  nsswitch: collected(z.looseObject({ hosts: z.array(z.string()) })),
  firewall: z.looseObject({
    iptables: collected(z.string()),
    ip6tables: collected(z.string()),
    nft: collected(z.unknown()),
    ufw: collected(z.string()),
    ipset: collected(z.string()).optional(),
  }),
  sysctls: collected(z.record(z.string(), z.string())),
  listening: collected(z.array(z.looseObject({}))),
  proxyEnv: z.record(z.string(), z.string()),
  time: z.looseObject({ local: z.string(), timezone: z.string() }),
  tunnels: tunnelsSchema.optional(),
});

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
  return r.data as unknown as Snapshot;
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
