/**
 * The raw-network module (src/native), guarded: when it is not built, not permitted (no
 * CAP_NET_RAW) or fails to load, probes fall back to sockets and system tools. The module's
 * code is imported statically (pmtu, spread and trace import it too, and importing it never
 * throws); only the addon itself loads on first use. A dynamic import here waited 18–23 ms for
 * the event loop at the start of every walk, on the path of the first echo and connect.
 */
import type { NativeApi } from '../native/api.js';
import { loadNative } from '../native/index.js';

let cached: Promise<NativeApi | null> | undefined;

function load(): NativeApi | null {
  if (process.env['NETDX_NO_NATIVE'] === '1') return null;
  try {
    return loadNative() ?? null;
  } catch {
    return null;
  }
}

/** The native API, or null (never throws). `NETDX_NO_NATIVE=1` forces the fallbacks. */
export function native(): Promise<NativeApi | null> {
  cached ??= Promise.resolve(load());
  return cached;
}
