/** `netdx faults [CODE]`: the fault manual, generated from the rule metas. */
import type { Command } from 'commander';
import { usageError } from '../model/errors.js';
import type { Lang } from '../model/layer.js';
import { RULES } from '../rules/index.js';
import type { RuleMeta } from '../rules/types.js';
import { faultEntry, faultEntryMarkdown, faultsJson, faultsMarkdown, faultsTable } from '../report/faults-manual.js';
import { detectLang, t } from '../report/i18n.js';

interface RawFaultsOptions {
  lang?: string;
  json?: boolean;
  markdown?: boolean;
}

function parseLang(text: string | undefined): Lang {
  if (text === undefined) return detectLang();
  if (text === 'en' || text === 'zh') return text;
  throw usageError({ en: `--lang '${text}': expected en or zh`, zh: `--lang '${text}'：应为 en 或 zh` });
}

/** A meta by code (any case) or slug; a usage error naming the input otherwise. */
export function findMeta(metas: readonly RuleMeta[], query: string, lang: Lang): RuleMeta {
  const q = query.trim();
  const hit = metas.find((m) => m.code === q.toUpperCase()) ?? metas.find((m) => m.slug === q.toLowerCase());
  if (!hit) throw usageError({ en: t(lang, 'faults.unknownCode', { code: q }), zh: t('zh', 'faults.unknownCode', { code: q }) });
  return hit;
}

export function register(program: Command): void {
  program
    .command('faults')
    .description('list the fault codes, or explain one (evidence, fix, whether it is checked)')
    .argument('[code]', 'a fault code (NET-001) or slug (no-route)')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .option('--json', 'print the metas as JSON (every code, both languages)')
    .option('--markdown', 'print the manual as markdown (both languages; docs/faults.md)')
    .action((code: string | undefined, raw: RawFaultsOptions) => {
      const lang = parseLang(raw.lang);
      if (raw.json && raw.markdown) throw usageError({ en: '--json and --markdown: choose one output format', zh: '--json 与 --markdown：只能选择一种输出格式' });
      const metas = RULES.map((r) => r.meta);
      if (code !== undefined) {
        const m = findMeta(metas, code, lang);
        if (raw.json) process.stdout.write(JSON.stringify(faultsJson([m])[0], null, 2) + '\n');
        else if (raw.markdown) process.stdout.write(faultEntryMarkdown(m).join('\n').replace(/\n+$/, '') + '\n');
        else process.stdout.write(faultEntry(m, lang));
        return;
      }
      if (raw.json) process.stdout.write(JSON.stringify(faultsJson(metas), null, 2) + '\n');
      else if (raw.markdown) process.stdout.write(faultsMarkdown(metas));
      else process.stdout.write(faultsTable(metas, lang));
    });
}
