/**
 * The raw-network module: `loadNative()` gives the NativeApi when the addon is built and the
 * process may open raw sockets (CAP_NET_RAW), else null with the reason in `nativeUnavailable()`.
 * Never throws at import.
 */
import { addonError, loadAddon } from './addon.js';
import type { NativeRawApi } from './api.js';
import { icmpEcho } from './echo.js';
import { tcpConnect, tcpOpen } from './connect.js';
import { sendProbe } from './probe.js';
import { nextId16, routeSource } from './sockets.js';

let api: NativeRawApi | null | undefined;
let reason: string | null = null;

export function loadNative(): NativeRawApi | null {
  if (api !== undefined) return api;
  api = null;
  const addon = loadAddon();
  if (!addon) {
    reason = addonError() ?? 'the raw-socket addon is unavailable';
    return api;
  }
  // Raw sockets need CAP_NET_RAW: try one and close it again.
  try {
    const c = addon.constants;
    addon.close(addon.socket(c.AF_INET!, c.SOCK_RAW!, c.IPPROTO_ICMP!));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    reason = code === 'EPERM' || code === 'EACCES' ? 'raw sockets need root or CAP_NET_RAW' : `raw socket: ${code}`;
    return api;
  }
  api = {
    icmpEcho: (o) => icmpEcho(addon, o),
    tcpConnect: (o) => tcpConnect(addon, o),
    probe: (spec) => sendProbe(addon, spec),
    routeSource: (dst) => {
      try {
        return routeSource(addon, dst);
      } catch {
        return null;
      }
    },
    tcpOpen: (o) => tcpOpen(addon, o),
    nextId: nextId16,
  };
  return api;
}

/** Why loadNative() returned null (null when it did not). */
export function nativeUnavailable(): string | null {
  loadNative();
  return reason;
}
