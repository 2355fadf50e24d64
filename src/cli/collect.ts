/** `netdx collect`: write this machine's network state (the Snapshot) as JSON. Read-only, sends no packet. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readError, usageError } from '../model/errors.js';
import { ALL_PARTS, collectSnapshot, type SnapshotPart } from '../system/collect.js';
import { routeNetlink } from '../native/addon.js';
import { liveExec } from '../diagnose/live-exec.js';

const ALIASES: Record<string, SnapshotPart> = { neigh: 'neighbors', neighbours: 'neighbors', addr: 'links', route: 'routes', rule: 'rules', sockets: 'listening', sysctl: 'sysctls' };

/** '--only links,routes' → the parts; a name that is not a part is a usage error. */
export function parseOnly(value: string): SnapshotPart[] {
  const out: SnapshotPart[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const part = (ALL_PARTS as readonly string[]).includes(name) ? (name as SnapshotPart) : ALIASES[name];
    if (part === undefined)
      throw usageError({
        en: `--only: unknown part '${raw.trim().slice(0, 40)}' (expected some of ${ALL_PARTS.join(', ')})`,
        zh: `--only：未知部分 '${raw.trim().slice(0, 40)}'（应为 ${ALL_PARTS.join('、')} 中的若干项）`,
      });
    if (!out.includes(part)) out.push(part);
  }
  if (out.length === 0) throw usageError({ en: `--only: expected some of ${ALL_PARTS.join(', ')}`, zh: `--only：应为 ${ALL_PARTS.join('、')} 中的若干项` });
  return out;
}

export function register(program: Command): void {
  program
    .command('collect')
    .description("write this machine's network state (links, routes, rules, neighbours, resolver files, firewall, sysctls, sockets) as Snapshot JSON; read-only")
    .option('-o, --out <file>', 'write to FILE instead of stdout')
    .option('--pretty', 'indent the JSON')
    .option('--only <parts>', `comma-separated subset of: ${ALL_PARTS.join(',')}`)
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (o: { out?: string; only?: string; pretty?: boolean }) => {
      const parts = o.only === undefined ? ALL_PARTS : parseOnly(o.only);
      // Links, routes, rules and neighbours read in-process (rtnetlink) where the addon can; the commands in one batch.
      const snap = await collectSnapshot({ netlink: routeNetlink(), exec: liveExec }, parts);
      const text = `${JSON.stringify(snap, null, o.pretty ? 2 : undefined)}\n`;
      if (o.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        await writeFile(o.out, text);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? 'error');
        const zh = code === 'ENOENT' ? '目录不存在' : code === 'EACCES' || code === 'EPERM' ? '权限不足' : code === 'EISDIR' ? '是一个目录' : (code ?? '错误');
        throw readError({ en: `cannot write ${o.out}: ${why}`, zh: `无法写入 ${o.out}：${zh}` }, err);
      }
    });
}
