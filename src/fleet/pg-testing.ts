/**
 * A private, throwaway PostgreSQL for tests and benches: Debian's postgresql binaries, a cluster
 * initialised in a temp dir owned by the `postgres` user (initdb refuses root), listening on
 * 127.0.0.1 at a free port with its socket in that dir, fsync off. `stop()` stops it and removes
 * the dir. null when the binaries (or root, to become `postgres`) are missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  url: string;
  dir: string;
  stop(): void;
}

function binDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresMissing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (to run PostgreSQL as the postgres user)';
  if (!binDir()) return 'PostgreSQL server binaries not installed (scripts/setup-debian.sh installs postgresql)';
  return null;
}

/** A TCP port free on 127.0.0.1 now (for PostgreSQL, the fleet tests and the fleet bench). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  if (!bin) throw new Error(postgresMissing() ?? 'no PostgreSQL');
  const dir = mkdtempSync(join(tmpdir(), 'netdx-pg-'));
  chmodSync(dir, 0o755);
  execFileSync('chown', ['postgres:postgres', dir]);
  const asPg = (file: string, args: string[]): string => execFileSync('runuser', ['-u', 'postgres', '--', join(bin, file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const data = join(dir, 'data');
  asPg('initdb', ['-D', data, '-A', 'trust', '-U', 'netdx', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  asPg('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '30',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  asPg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'netdx', 'netdx']);
  let stopped = false;
  return {
    url: `postgres://netdx@127.0.0.1:${port}/netdx`,
    dir,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already down */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
