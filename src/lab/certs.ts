/**
 * The lab's PKI, generated per run with the openssl CLI: a root CA, an intermediate, and one
 * leaf per TLS flavour of the server host (valid, expired, not yet valid, wrong name,
 * self-signed, missing intermediate, client certificate required, old protocol, TLS 1.3 only,
 * expiring soon, a skewed-clock server), plus a TLS-inspection CA for the interception case and
 * a client certificate. Certificates with past/future dates need `openssl ca` (OpenSSL 3.0's
 * `x509 -req` cannot set notBefore).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must } from './exec.js';

const DAY = 86_400_000;

export interface Pki {
  dir: string;
  /** The lab root CA: what clients pass as --ca. */
  ca: string;
  /** Lab root + TLS-inspection root: a client that trusts the interception proxy. */
  caWithInspection: string;
  clientCert: string;
  clientKey: string;
  /** sha256:HEX fingerprint of www.lab.test's real certificate (for --pin). */
  wwwPin: string;
  /** Per leaf: certificate file, key file, chain file (leaf + intermediate). */
  leaf(name: LeafName): { cert: string; key: string; chain: string };
}

export const LEAVES = ['www', 'expired', 'future', 'wrongname', 'self', 'nochain', 'mtls', 'old', 'tls13', 'soon', 'skew', 'intercept', 'api'] as const;
export type LeafName = (typeof LEAVES)[number];

/** openssl ca date format (YYYYMMDDHHMMSSZ). */
export const caDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');

interface LeafPlan {
  name: LeafName;
  dns: string;
  issuer: 'int' | 'self' | 'inspect';
  from: number;
  to: number;
}

/** What each leaf is: its name on the certificate, its issuer and its validity (days from now). */
function plans(): LeafPlan[] {
  const std = { from: -1, to: 365 };
  return [
    { name: 'www', dns: 'www.lab.test', issuer: 'int', ...std },
    { name: 'api', dns: 'api.lab.test', issuer: 'int', ...std },
    { name: 'expired', dns: 'expired.lab.test', issuer: 'int', from: -400, to: -30 },
    { name: 'future', dns: 'future.lab.test', issuer: 'int', from: 30, to: 400 },
    { name: 'wrongname', dns: 'other.lab.test', issuer: 'int', ...std },
    { name: 'self', dns: 'self.lab.test', issuer: 'self', ...std },
    { name: 'nochain', dns: 'nochain.lab.test', issuer: 'int', ...std },
    { name: 'mtls', dns: 'mtls.lab.test', issuer: 'int', ...std },
    { name: 'old', dns: 'old.lab.test', issuer: 'int', ...std },
    { name: 'tls13', dns: 'tls13.lab.test', issuer: 'int', ...std },
    { name: 'soon', dns: 'soon.lab.test', issuer: 'int', from: -355, to: 10 },
    // Valid from one hour ahead of the real time: the skew server's clock is two hours ahead.
    { name: 'skew', dns: 'skew.lab.test', issuer: 'int', from: 1 / 24, to: 365 },
    { name: 'intercept', dns: 'www.lab.test', issuer: 'inspect', ...std },
  ];
}

const CONF = (dir: string, name: string): string => `
[ ca ]
default_ca = lab
[ lab ]
dir = ${dir}/${name}-db
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_int ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

const leafExt = (dns: string): string =>
  `basicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:${dns}\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n`;

const openssl = (args: string[]): Promise<string> => must('openssl', args, { timeoutMs: 60_000 });

async function rsaKey(path: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path]);
}

function initDb(dir: string, ca: string): void {
  const db = join(dir, `${ca}-db`);
  mkdirSync(db, { recursive: true });
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(join(db, 'serial'), `${(Date.now() % 1e12).toString(16).padStart(12, '0').toUpperCase()}\n`);
}

/** Signs `csr` with CA `ca` (its key/cert/db under dir) for [now+from, now+to] days. */
async function sign(dir: string, ca: string, csr: string, out: string, from: number, to: number, ext: { file: string; section?: string }): Promise<void> {
  const now = Date.now();
  await openssl([
    'ca',
    '-batch',
    '-notext',
    '-config',
    join(dir, `${ca}.cnf`),
    '-keyfile',
    join(dir, `${ca}.key`),
    '-cert',
    join(dir, `${ca}.pem`),
    '-startdate',
    caDate(new Date(now + from * DAY)),
    '-enddate',
    caDate(new Date(now + to * DAY)),
    '-extfile',
    ext.file,
    ...(ext.section ? ['-extensions', ext.section] : []),
    '-in',
    csr,
    '-out',
    out,
  ]);
}

async function selfSignedCa(dir: string, name: string, cn: string): Promise<void> {
  writeFileSync(join(dir, `${name}.cnf`), CONF(dir, name));
  initDb(dir, name);
  await rsaKey(join(dir, `${name}.key`));
  await openssl([
    'req',
    '-new',
    '-x509',
    '-config',
    join(dir, `${name}.cnf`),
    '-key',
    join(dir, `${name}.key`),
    '-subj',
    `/O=netdx lab/CN=${cn}`,
    '-days',
    '3650',
    '-extensions',
    'v3_ca',
    '-out',
    join(dir, `${name}.pem`),
  ]);
}

export function fingerprint(pemFile: string): string {
  const der = new X509Certificate(readFileSync(pemFile)).raw;
  return `sha256:${createHash('sha256').update(der).digest('hex').toUpperCase()}`;
}

export async function makePki(root: string): Promise<Pki> {
  const dir = join(root, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Independent keys and roots in parallel; the chain is sequential.
  await Promise.all([
    selfSignedCa(dir, 'root', 'netdx lab root CA'),
    selfSignedCa(dir, 'inspect', 'Corp TLS Inspection CA'),
    rsaKey(join(dir, 'int.key')),
    rsaKey(join(dir, 'leaf.key')),
    rsaKey(join(dir, 'self.key')),
    rsaKey(join(dir, 'client.key')),
  ]);
  writeFileSync(join(dir, 'int.cnf'), CONF(dir, 'int'));
  initDb(dir, 'int');
  await openssl(['req', '-new', '-config', join(dir, 'root.cnf'), '-key', join(dir, 'int.key'), '-subj', '/O=netdx lab/CN=netdx lab intermediate CA', '-out', join(dir, 'int.csr')]);
  await sign(dir, 'root', join(dir, 'int.csr'), join(dir, 'int.pem'), -1, 1825, { file: join(dir, 'root.cnf'), section: 'v3_int' });

  const leafCsr = (dns: string, key: string, out: string): Promise<string> => openssl(['req', '-new', '-config', join(dir, 'root.cnf'), '-key', key, '-subj', `/O=netdx lab/CN=${dns}`, '-out', out]);
  for (const p of plans()) {
    const ext = join(dir, `${p.name}.ext`);
    writeFileSync(ext, leafExt(p.dns));
    const cert = join(dir, `${p.name}.pem`);
    if (p.issuer === 'self') {
      await openssl([
        'req',
        '-new',
        '-x509',
        '-config',
        join(dir, 'root.cnf'),
        '-key',
        join(dir, 'self.key'),
        '-subj',
        `/O=netdx lab/CN=${p.dns}`,
        '-days',
        '365',
        '-addext',
        `subjectAltName=DNS:${p.dns}`,
        '-out',
        cert,
      ]);
      writeFileSync(join(dir, `${p.name}-chain.pem`), readFileSync(cert));
      continue;
    }
    await leafCsr(p.dns, join(dir, 'leaf.key'), join(dir, `${p.name}.csr`));
    const ca = p.issuer === 'inspect' ? 'inspect' : 'int';
    await sign(dir, ca, join(dir, `${p.name}.csr`), cert, p.from, p.to, { file: ext });
    const chain = p.issuer === 'int' ? Buffer.concat([readFileSync(cert), readFileSync(join(dir, 'int.pem'))]) : readFileSync(cert);
    writeFileSync(join(dir, `${p.name}-chain.pem`), chain);
  }
  // A client certificate for mutual TLS.
  await leafCsr('lab client', join(dir, 'client.key'), join(dir, 'client.csr'));
  await sign(dir, 'int', join(dir, 'client.csr'), join(dir, 'client.pem'), -1, 365, { file: join(dir, 'int.cnf'), section: 'v3_client' });
  writeFileSync(join(dir, 'client-chain.pem'), Buffer.concat([readFileSync(join(dir, 'client.pem')), readFileSync(join(dir, 'int.pem'))]));

  writeFileSync(join(dir, 'ca.pem'), readFileSync(join(dir, 'root.pem')));
  writeFileSync(join(dir, 'ca-inspect.pem'), Buffer.concat([readFileSync(join(dir, 'root.pem')), readFileSync(join(dir, 'inspect.pem'))]));
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caWithInspection: join(dir, 'ca-inspect.pem'),
    clientCert: join(dir, 'client-chain.pem'),
    clientKey: join(dir, 'client.key'),
    wwwPin: fingerprint(join(dir, 'www.pem')),
    leaf: (name) => ({ cert: join(dir, `${name}.pem`), key: join(dir, name === 'self' ? 'self.key' : 'leaf.key'), chain: join(dir, `${name}-chain.pem`) }),
  };
}
