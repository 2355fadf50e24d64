/**
 * Starting one of the hostile servers (servers/hostile.ts) for a scenario, inside the server host
 * on www.lab.test's address and a port of its own (the scenarios use 4401–4420), so that the name,
 * its certificate and the lab CA all hold and only the server's behaviour is wrong.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { nodeServer } from './lab.js';
import type { LabApi } from './scenario.js';
import { SERVICES } from './topology.js';

export type HostileMode = 'small-dh' | 'unexpected' | 'garbage' | 'endless' | 'big-cert' | 'fin' | 'reset' | 'http-silent' | 'http-garbage';

/** Runs `hostile.js MODE` on www's IPv4 and IPv6 addresses and PORT; with tls, the www certificate and key. */
export async function hostile(lab: LabApi, mode: HostileMode, port: number, opts: { tls?: boolean } = {}): Promise<void> {
  const www = lab.pki.leaf('www');
  const files = mode === 'small-dh' ? [www.cert] : opts.tls ? [www.chain, www.key] : [];
  await lab.background(
    'srv',
    `hostile-${mode}-${port}`,
    nodeServer('hostile', [mode, `${SERVICES.www.v4},${SERVICES.www.v6}`, String(port), ...files]),
    `test $(ss -Hltn 'sport = :${port}' | wc -l) -ge 2`,
  );
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

/** `openssl s_server` on PORT of www's addresses (v4 and v6, one process each) with CERT/KEY (and the chain file given, if any). */
export async function sServer(lab: LabApi, port: number, files: { cert: string; key: string; chain?: string }, extra: readonly string[] = []): Promise<void> {
  for (const [fam, addr] of [
    ['4', SERVICES.www.v4],
    ['6', `[${SERVICES.www.v6}]`],
  ] as const) {
    await lab.background(
      'srv',
      `s-server-${port}-v${fam}`,
      ['openssl', 's_server', '-accept', `${addr}:${port}`, '-cert', files.cert, '-key', files.key, ...(files.chain ? ['-cert_chain', files.chain] : []), '-www', '-quiet', ...extra],
      `ss -Hltn 'sport = :${port}' | grep -qF '${addr}:${port}'`,
    );
  }
}

/**
 * A private root CA made for one scenario and a leaf for www.lab.test issued DIRECTLY by it (no
 * intermediate, no AIA): what a small company's internal CA often looks like.
 */
export async function privateRootLeaf(lab: LabApi, name: string): Promise<{ cert: string; key: string; root: string }> {
  const dir = join(lab.dir, name);
  mkdirSync(dir, { recursive: true });
  const f = (x: string): string => join(dir, x);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await lab.sh('srv', [
    'openssl',
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('root.key'),
    '-out',
    f('root.pem'),
    '-days',
    '30',
    '-subj',
    '/O=Acme Corp/CN=Acme Corp Private Root',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await lab.sh('srv', ['openssl', 'req', '-new', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=www.lab.test']);
  writeFileSync(f('leaf.ext'), 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.lab.test\nauthorityKeyIdentifier=keyid\n');
  await lab.sh('srv', [
    'openssl',
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('root.pem'),
    '-CAkey',
    f('root.key'),
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    f('leaf.ext'),
    '-out',
    f('leaf.pem'),
  ]);
  return { cert: f('leaf.pem'), key: f('leaf.key'), root: f('root.pem') };
}

/** openssl ca date format for index.txt (YYMMDDHHMMSSZ). */
const indexDate = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

/**
 * A revoked www certificate, stapled: marks www.lab.test's leaf revoked (keyCompromise, a day ago)
 * in an OCSP index of the lab intermediate, has `openssl ocsp` answer for it, and serves the
 * certificate with `openssl s_server -status_file` so every handshake carries that response.
 */
export async function revokedStaple(lab: LabApi, port: number): Promise<void> {
  const dir = join(lab.dir, `ocsp-${port}`);
  mkdirSync(dir, { recursive: true });
  const www = lab.pki.leaf('www');
  const int = { cert: join(lab.pki.dir, 'int.pem'), key: join(lab.pki.dir, 'int.key') };
  const x = new X509Certificate(readFileSync(www.cert));
  const subject = `/${x.subject.split('\n').join('/')}`;
  writeFileSync(join(dir, 'index.txt'), `R\t${indexDate(new Date(x.validTo))}\t${indexDate(new Date(Date.now() - 86_400_000))},keyCompromise\t${x.serialNumber}\tunknown\t${subject}\n`);
  await lab.sh('srv', ['openssl', 'ocsp', '-issuer', int.cert, '-cert', www.cert, '-no_nonce', '-reqout', join(dir, 'req.der')]);
  await lab.sh('srv', [
    'openssl',
    'ocsp',
    '-index',
    join(dir, 'index.txt'),
    '-rsigner',
    int.cert,
    '-rkey',
    int.key,
    '-CA',
    int.cert,
    '-reqin',
    join(dir, 'req.der'),
    '-respout',
    join(dir, 'resp.der'),
    '-ndays',
    '1',
  ]);
  await sServer(lab, port, { cert: www.cert, key: www.key, chain: int.cert }, ['-status_file', join(dir, 'resp.der')]);
}
