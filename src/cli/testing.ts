/** Test support for end-to-end tests of the CLI and the servers. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A self-signed P-256 certificate made by openssl in `dir` (`keyFile`, `certFile`: key.pem and
 * cert.pem unless named), valid `days` days, for `cn` and the subjectAltName `san`.
 */
export function selfSigned(dir: string, o: { cn: string; san: string; days: number; keyFile?: string; certFile?: string }): { key: string; cert: string } {
  const key = join(dir, o.keyFile ?? 'key.pem');
  const cert = join(dir, o.certFile ?? 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      String(o.days),
      '-subj',
      `/CN=${o.cn}`,
      '-addext',
      `subjectAltName=${o.san}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}
