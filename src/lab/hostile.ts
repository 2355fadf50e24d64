/**
 * Starting one of the hostile servers (servers/hostile.ts) for a scenario, inside the server host
 * on www.lab.test's address and a port of its own (issue 11 uses 4401–4420), so that the name,
 * its certificate and the lab CA all hold and only the server's behaviour is wrong.
 */
import { nodeServer } from './lab.js';
import type { LabApi } from './scenario.js';
import { SERVICES } from './topology.js';

export type HostileMode = 'small-dh' | 'unexpected' | 'garbage' | 'endless' | 'big-cert' | 'fin' | 'reset' | 'http-silent' | 'http-garbage';

/** Runs `hostile.js MODE` on www's IPv4 and IPv6 addresses and PORT; with tls, the www certificate and key. */
export async function hostile(lab: LabApi, mode: HostileMode, port: number, opts: { tls?: boolean } = {}): Promise<void> {
  const www = lab.pki.leaf('www');
  const files = mode === 'small-dh' ? [www.cert] : opts.tls ? [www.chain, www.key] : [];
  await lab.background('srv', `hostile-${mode}-${port}`, nodeServer('hostile', [mode, `${SERVICES.www.v4},${SERVICES.www.v6}`, String(port), ...files]), `test $(ss -Hltn 'sport = :${port}' | wc -l) -ge 2`);
}
