/** The real probes behind TunnelProbes: OpenVPN hard reset, `wg show DEV dump`, DF ping. */
import { setTimeout as sleep } from 'node:timers/promises';
import { openvpnReset } from '../probes/openvpn-reset.js';
import { dfPing } from '../probes/df-ping.js';
import { defaultExec } from '../system/exec.js';
import { readWgPeers } from '../system/tunnel-wg.js';
import type { TunnelProbes } from './tunnel.js';

export function liveTunnelProbes(): TunnelProbes {
  return {
    openvpnReset,
    wgPeers: (dev) => readWgPeers(defaultExec, dev),
    dfPing,
    sleep: async (ms, signal) => {
      try {
        await sleep(ms, undefined, signal ? { signal } : {});
      } catch {
        /* aborted: the caller's deadline decides */
      }
    },
  };
}
