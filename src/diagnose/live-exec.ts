/**
 * How live collection runs its commands (the snapshot's firewall dumps and `wg show`, and `ip`
 * where the kernel cannot be asked): the calls of one event-loop turn in one shell, started by the
 * raw-network addon's posix_spawn where it can (no fork of this process on the main thread,
 * decision 068), by node's spawn otherwise.
 */
import { makeBatchingExec, type ExecFn } from '../system/exec.js';
import { spawnDetached } from '../native/spawn.js';

export const liveExec: ExecFn = makeBatchingExec({ spawn: spawnDetached });
