/** Helpers for the monitor's end-to-end tests: an in-process daemon on a free loopback port. */
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePki } from '../lab/certs.js';
import { runDaemon, type DaemonOptions, type RunningDaemon } from './daemon.js';

export interface TestDaemon {
  base: string;
  d: RunningDaemon;
  log: string[];
  stop: () => Promise<void>;
}

export function startDaemon(config: string, data: string | null, extra: Partial<DaemonOptions> = {}): Promise<TestDaemon> {
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let stop!: (s: string) => void;
    const stopSignal = new Promise<string>((r) => (stop = r));
    const done = runDaemon({
      config,
      listen: '127.0.0.1:0',
      data,
      lang: 'en',
      log: (l) => log.push(l),
      stopSignal,
      ...extra,
      onListening: (addr, d) =>
        resolve({
          base: `http://${addr}`,
          d,
          log,
          stop: async () => {
            stop('test');
            await done;
          },
        }),
    });
    done.catch(reject);
  });
}

export async function get(base: string, path: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(base + path);
  return { status: r.status, body: await r.text(), ms: performance.now() - t0 };
}

export async function until<T>(what: string, fn: () => Promise<T | null> | T | null, ms = 15_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== null) return v;
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** The lab's PKI under DIR plus a valid certificate for expired.lab.test (the 'expired' leaf re-signed with valid dates), so a swap changes only the dates. */
export async function certPair(dir: string): Promise<{ ca: string; key: string; valid: string; expired: string }> {
  const pki = await makePki(dir);
  const p = join(dir, 'pki');
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(p, 'expired.csr'),
      '-CA',
      join(p, 'int.pem'),
      '-CAkey',
      join(p, 'int.key'),
      '-set_serial',
      '0x7e57',
      '-days',
      '30',
      '-extfile',
      join(p, 'expired.ext'),
      '-out',
      join(p, 'expired-valid.pem'),
    ],
    { stdio: 'ignore' },
  );
  const valid = readFileSync(join(p, 'expired-valid.pem'), 'utf8') + readFileSync(join(p, 'int.pem'), 'utf8');
  return { ca: pki.ca, key: readFileSync(pki.leaf('expired').key, 'utf8'), valid, expired: readFileSync(pki.leaf('expired').chain, 'utf8') };
}
