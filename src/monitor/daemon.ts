/**
 * `netdx monitor`: config + store + shared snapshot + loop + HTTP, and SIGHUP reloads. The pieces
 * are in src/monitor; this file only wires them (the fleet agent wires them its own way).
 */
import type { AddressInfo } from 'node:net';
import type { Lang } from '../model/layer.js';
import type { Report } from '../model/report.js';
import type { EngineDeps } from '../diagnose/engine.js';
import { loadMonitorConfig, type MonitorConfig } from './config.js';
import { Monitor } from './loop.js';
import { limiter } from '../diagnose/limiter.js';
import { runCheck, type CheckFn } from './checks.js';
import { Store } from './store.js';
import { makeDiagnoser } from './diagnoser.js';
import { buildRegistry } from './metrics.js';
import { createServer } from './server.js';
import { mt } from './messages.js';
import { errorText, inBoth, usageError } from '../model/errors.js';
import { untilStopped } from './signals.js';

/** Also written in src/cli/monitor.ts (which does not load this module for --help). */
export const DEFAULT_LISTEN = '127.0.0.1:9716';

export interface DaemonOptions {
  config: string;
  listen: string;
  data: string | null;
  lang: Lang;
  /** Seams for tests. */
  deps?: EngineDeps;
  check?: CheckFn;
  log?: (line: string) => void;
  /** Resolves when the daemon should stop (default: SIGINT / SIGTERM). */
  stopSignal?: Promise<string>;
  onListening?: (addr: string, daemon: RunningDaemon) => void;
}

export interface RunningDaemon {
  monitor: () => Monitor;
  reload: () => boolean;
  store: Store | null;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw usageError(inBoth((l) => mt(l, 'cli.listen', { value: text })));
  return { host: (m[1] ?? m[2])!, port };
}

export async function runDaemon(o: DaemonOptions): Promise<void> {
  const log = o.log ?? ((l: string) => void process.stderr.write(l + '\n'));
  const listen = parseListen(o.listen);
  let cfg: MonitorConfig = loadMonitorConfig(o.config, o.lang);
  let reloadOk = true;
  let reloadAt = Date.now();

  const store = o.data
    ? Store.open(o.data, {
        onWritable: (w, why) => log(w ? mt(o.lang, 'store.writableAgain', { path: o.data! }) : mt(o.lang, 'store.readonly', { path: o.data!, why })),
      })
    : null;

  const diagnoser = await makeDiagnoser(o.deps);
  const shared = diagnoser.shared;
  const runDiagnosis = (t: MonitorConfig['targets'][number]['target'], options: MonitorConfig['targets'][number]['options']): Promise<Report> => diagnoser.run(t, options, cfg.lang);

  const monitor = new Monitor(
    cfg,
    {
      check: o.check ?? runCheck,
      diagnose: (t) => runDiagnosis(t.target, t.options),
      onChange: (c) => store?.recordChange(c),
      onReport: (name, at, report) => store?.recordReport(name, at, report),
      onError: (what, err) => log(`netdx monitor: ${what}: ${err instanceof Error ? err.message : String(err)}`),
    },
    store ? { states: store.lastStates(), reports: store.lastReports() } : {},
  );
  const status = {
    storeWritable: () => store?.writable ?? true,
    reloadOk: () => reloadOk,
    reloadAt: () => reloadAt,
    snapshotAge: () => shared.ageSeconds(),
    snapshotRefreshes: () => shared.refreshes,
  };
  let registry = buildRegistry(monitor, status);

  const reload = (): boolean => {
    try {
      cfg = loadMonitorConfig(o.config, o.lang);
    } catch (err) {
      reloadOk = false;
      log(mt(o.lang, 'daemon.reloadFailed', { why: errorText(err, o.lang) }));
      return false;
    }
    monitor.reload(cfg);
    registry = buildRegistry(monitor, status);
    reloadOk = true;
    reloadAt = Date.now();
    log(mt(o.lang, 'daemon.reloaded', { file: o.config, n: cfg.targets.length }));
    return true;
  };

  const probeLimiter = limiter(cfg.concurrency);
  const server = createServer({
    monitor: () => monitor,
    registry: () => registry,
    store,
    lang: o.lang,
    probe: {
      check: o.check ?? runCheck,
      configured: (input) => {
        const r = monitor.targets().find((x) => x.spec.input === input || x.spec.name === input);
        return r ? { options: r.spec.options, report: r.report } : null;
      },
      // /probe diagnoses queue under the same limit as the loop's, in their own limiter.
      diagnose: (t, opts) => probeLimiter.run(() => runDiagnosis(t, opts)),
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(usageError(inBoth((l) => mt(l, 'daemon.listenFailed', { addr: o.listen, why: err.code ?? err.message })))));
    server.listen(listen.port, listen.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const addr = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  monitor.start();
  log(mt(o.lang, 'daemon.listening', { n: cfg.targets.length, addr }));

  const onHup = (): void => void reload();
  process.on('SIGHUP', onHup);
  o.onListening?.(addr, { monitor: () => monitor, reload, store });
  const stopped = o.stopSignal ?? untilStopped();
  const sig = await stopped;
  log(mt(o.lang, 'daemon.stopping', { signal: sig }));
  process.off('SIGHUP', onHup);
  server.close();
  server.closeAllConnections();
  shared.close();
  await monitor.shutdown();
  store?.close();
}
