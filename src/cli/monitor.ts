/** `netdx monitor --config FILE [--listen ADDR:PORT] [--data DIR]`: the monitoring daemon (src/monitor). */
import type { Command } from 'commander';
import { detectLang } from '../report/i18n.js';
import { parseLang } from './diagnose-options.js';
// The daemon (prom-client, SQLite, the engine) is loaded only when the command runs, not for --help.
const DEFAULT_LISTEN = '127.0.0.1:9716';

interface RawMonitorOptions {
  config: string;
  listen?: string;
  data?: string;
  lang?: string;
}

export function register(program: Command): void {
  program
    .command('monitor')
    .description('watch many targets: one cheap check per interval, a full diagnosis when one fails; Prometheus /metrics, blackbox-style /probe, /api')
    .requiredOption('--config <file>', 'YAML config: interval and targets (docs/monitor.md)')
    .option('--listen <addr:port>', `HTTP address for /metrics, /probe and /api (default ${DEFAULT_LISTEN})`)
    .option('--data <dir>', 'directory of the history store (state changes and reports survive a restart)')
    .option('--lang <lang>', 'en | zh (default from LANG): messages and reports')
    .action(async (raw: RawMonitorOptions) => {
      const lang = parseLang(raw.lang, detectLang());
      const { runDaemon } = await import('../monitor/daemon.js');
      await runDaemon({ config: raw.config, listen: raw.listen ?? DEFAULT_LISTEN, data: raw.data ?? null, lang });
    });
}
