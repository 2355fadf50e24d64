/**
 * A child process started by the addon's posix_spawn (vfork semantics: no copy of this process's
 * page tables, which node's fork-based spawn costs the main thread ~7 ms per child on a small VM),
 * in a process group of its own, stdio on /dev/null. Its exit is seen through a pidfd polled by
 * libuv (Linux >= 5.3), else by asking every 5 ms. For the snapshot's batch of commands
 * (src/system/exec.ts, `DetachedSpawn`).
 */
import { loadAddon, type WatchHandle } from './addon.js';

/**
 * The exit watches of running children. The addon stops a watch whose handle is garbage collected,
 * and nothing else holds these handles (their callbacks live on the handles themselves).
 */
const watching = new Set<WatchHandle>();

/** Starts `file` (looked up on env's PATH); null when the addon cannot (node's spawn then). */
export function spawnDetached(file: string, args: readonly string[], env: NodeJS.ProcessEnv): { pid: number; exited: Promise<void> } | null {
  if (process.env['NETDX_NO_NATIVE'] === '1') return null;
  const addon = loadAddon();
  if (!addon?.spawn || !addon.reap) return null;
  const reap = addon.reap.bind(addon);
  const envList = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const started = addon.spawn(file, [file, ...args], envList);
  if (typeof started === 'string') return null;
  const { pid, pidfd } = started;
  const exited = new Promise<void>((done) => {
    // Like node's child process handle, a running child keeps the event loop alive (the addon's
    // poll watchers do not).
    const hold = setInterval(() => {}, 1 << 30);
    const resolve = (): void => {
      clearInterval(hold);
      done();
    };
    const gone = (): boolean => {
      try {
        return reap(pid) !== null;
      } catch {
        return true; // not our child any more (ECHILD): nothing left to wait for
      }
    };
    if (pidfd >= 0) {
      try {
        const h = addon.watch(pidfd, addon.constants.UV_READABLE!, () => {
          if (!gone()) return;
          watching.delete(h);
          addon.unwatch(h);
          addon.close(pidfd);
          resolve();
        });
        watching.add(h);
        return;
      } catch {
        addon.close(pidfd); // no poll on it: ask instead
      }
    }
    const poll = setInterval(() => {
      if (!gone()) return;
      clearInterval(poll);
      resolve();
    }, 5);
  });
  return { pid, exited };
}
