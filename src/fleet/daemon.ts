/**
 * `netdx server` as a process: the store (SQLite under --data, or PostgreSQL with --db), the
 * target list (SIGHUP reloads it), the HTTP(S) server, and a clean stop on SIGINT/SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import type { Lang } from '../model/layer.js';
import { errorText, inBoth, usageError, readError } from '../model/errors.js';
import { parseListen } from '../monitor/daemon.js';
import { untilStopped } from '../monitor/signals.js';
import { openDb } from './db.js';
import { FleetStore } from './store.js';
import { createFleetServer, type FleetServer } from './server.js';
import { loadTargets, type FleetTargets } from './targets.js';
import { ft } from './messages.js';

export interface ServerOptions {
  listen: string;
  data: string | null;
  db: string | null;
  targets: string | null;
  tls: { cert: string; key: string } | null;
  lang: Lang;
  heartbeatS?: number;
  log?: (line: string) => void;
  stopSignal?: Promise<string>;
  onListening?: (url: string, s: FleetServer, store: FleetStore) => void;
}

export async function openStore(o: { data: string | null; db: string | null; lang: Lang }): Promise<FleetStore> {
  const db = o.db;
  if (db !== null && !/^postgres(ql)?:\/\/[^/]+\/[^/]+/.test(db)) throw usageError(inBoth((l) => ft(l, 'cli.db', { value: db.replace(/:[^:@/]*@/, ':***@') })));
  try {
    return new FleetStore(await openDb(o.db !== null ? { url: o.db } : { dir: o.data }));
  } catch (err) {
    const where = o.db !== null ? o.db.replace(/:[^:@/]*@/, ':***@') : (o.data ?? ':memory:');
    throw readError(
      inBoth((l) => ft(l, 'cli.storeFailed', { where, why: err instanceof Error ? err.message : String(err) })),
      err,
    );
  }
}

export async function runServer(o: ServerOptions): Promise<void> {
  const log = o.log ?? ((l: string) => void process.stderr.write(l + '\n'));
  const listen = parseListen(o.listen);
  let targets: FleetTargets = loadTargets(o.targets);
  const store = await openStore(o);
  const fleet = createFleetServer({ store, targets: () => targets, lang: o.lang, heartbeatS: o.heartbeatS, log, tls: o.tls });
  await new Promise<void>((resolve, reject) => {
    fleet.server.once('error', (err: NodeJS.ErrnoException) => reject(usageError(inBoth((l) => ft(l, 'server.listenFailed', { addr: o.listen, why: err.code ?? err.message })))));
    fleet.server.listen(listen.port, listen.host, () => resolve());
  });
  const a = fleet.server.address() as AddressInfo;
  const url = `${o.tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  log(ft(o.lang, 'server.listening', { url, db: store.db.where, n: targets.byName.size }));
  const onHup = (): void => {
    try {
      targets = loadTargets(o.targets);
      log(ft(o.lang, 'server.reloaded', { file: o.targets ?? '-', n: targets.byName.size }));
    } catch (err) {
      log(ft(o.lang, 'server.error', { what: 'SIGHUP', why: errorText(err, o.lang) }));
    }
  };
  process.on('SIGHUP', onHup);
  o.onListening?.(url, fleet, store);
  const stopped = o.stopSignal ?? untilStopped();
  const sig = await stopped;
  log(ft(o.lang, 'server.stopping', { signal: sig }));
  process.off('SIGHUP', onHup);
  await fleet.close();
  await store.db.close();
}
