/**
 * The raw-network module (src/native), loaded lazily and guarded: when it is not built, not
 * permitted (no CAP_NET_RAW) or fails to load, probes fall back to sockets and system tools.
 */
import type { NativeApi } from '../native/api.js';

let cached: Promise<NativeApi | null> | undefined;

async function load(): Promise<NativeApi | null> {
  if (process.env['NETDX_NO_NATIVE'] === '1') return null;
  try {
    // A literal specifier: the bundle carries the module (one copy, shared with the probes that
    // import it statically); a computed one loaded a second copy from dist/native/, file by file.
    const mod = await import('../native/index.js');
    return mod.loadNative() ?? null;
  } catch {
    return null;
  }
}

/** The native API, or null (never throws). `NETDX_NO_NATIVE=1` forces the fallbacks. */
export function native(): Promise<NativeApi | null> {
  cached ??= load();
  return cached;
}
