/**
 * Starting one of the hostile servers (servers/hostile.ts) for a scenario, inside the server host
 * on www.lab.test's address and a port of its own (issue 11 uses 4401–4420), so that the name,
 * its certificate and the lab CA all hold and only the server's behaviour is wrong.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * nginx with `ssl_verify_client on` on www's addresses and PORT (its own config, pid and temp
 * files under the run's directory): it completes the handshake without a client certificate and
 * then answers every request 400 "No required SSL certificate was sent". `ssl_client_certificate`
 * (the lab root) makes it name the acceptable CA in its CertificateRequest.
 */
export async function nginxMtls(lab: LabApi, port: number, protocols: string): Promise<void> {
  const dir = join(lab.dir, `nginx-mtls-${port}`);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const www = lab.pki.leaf('www');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  default_type text/plain;
  server_tokens off;
  server {
    listen ${SERVICES.www.v4}:${port} ssl; listen [${SERVICES.www.v6}]:${port} ssl; server_name www.lab.test;
    ssl_certificate ${www.chain}; ssl_certificate_key ${www.key}; ssl_protocols ${protocols};
    ssl_client_certificate ${lab.pki.ca}; ssl_verify_client on;
    location / { return 200 "hello, authenticated client\\n"; }
  }
}
`,
  );
  await lab.background('srv', `nginx-mtls-${port}`, ['nginx', '-c', conf, '-g', 'daemon off; user root;'], `test $(ss -Hltn 'sport = :${port}' | wc -l) -ge 2`);
}
