/** `netdx responder --listen ADDR:PORT`: the server end of the wire (src/responder, docs/responder.md). */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { readError, usageError } from '../model/errors.js';
import { detectLang, t } from '../report/i18n.js';
import { parseHostPort } from '../responder/address.js';
import { ipFamilyOf, shown } from '../model/target.js';
import { startResponder } from '../responder/server.js';

interface RawResponderOptions {
  listen?: string;
  token?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxConnections?: string;
  lang?: string;
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw readError({ en: `${what} '${shown(file)}': cannot read (${code})`, zh: `${what} '${shown(file)}'：无法读取（${code}）` }, err);
  }
}

export function register(program: Command): void {
  program
    .command('responder')
    .description('run the netdx responder on (or next to) the server: tells a client what arrived, serves echo, throughput, DF datagrams and idle holds')
    .requiredOption('--listen <addr:port>', 'address and port to listen on (TCP and UDP), e.g. 203.0.113.2:4790 or [2001:db8::2]:4790')
    .option('--token <t>', 'shared secret; answers larger than the request need it (or NETDX_RESPONDER_TOKEN)')
    .option('--tls-cert <file>', 'certificate (PEM) to accept TLS connections too')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--max-connections <n>', 'connections at once (default 10000)')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (raw: RawResponderOptions) => {
      const lang = detectLang(raw.lang);
      const listen = parseHostPort(raw.listen ?? '', '--listen');
      if (ipFamilyOf(listen.host) === null)
        throw usageError({ en: `--listen '${shown(raw.listen ?? '')}': expected an IP address and a port`, zh: `--listen '${shown(raw.listen ?? '')}'：应为 IP 地址加端口` });
      if ((raw.tlsCert === undefined) !== (raw.tlsKey === undefined)) throw usageError({ en: '--tls-cert and --tls-key go together', zh: '--tls-cert 与 --tls-key 必须同时指定' });
      let maxConnections = 10_000;
      if (raw.maxConnections !== undefined) {
        if (!/^\d+$/.test(raw.maxConnections) || Number(raw.maxConnections) < 1 || Number(raw.maxConnections) > 100_000)
          throw usageError({ en: `--max-connections '${shown(raw.maxConnections)}': expected 1…100000`, zh: `--max-connections '${shown(raw.maxConnections)}'：应为 1…100000` });
        maxConnections = Number(raw.maxConnections);
      }
      const token = raw.token ?? process.env.NETDX_RESPONDER_TOKEN ?? null;
      const tlsCfg = raw.tlsCert && raw.tlsKey ? { cert: read(raw.tlsCert, '--tls-cert'), key: read(raw.tlsKey, '--tls-key') } : null;
      let r;
      try {
        r = await startResponder({ host: listen.host, port: listen.port, token, tls: tlsCfg, maxConnections });
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? String(err);
        throw usageError({ en: `--listen ${shown(raw.listen ?? '')}: cannot listen (${why})`, zh: `--listen ${shown(raw.listen ?? '')}：无法监听（“${why}”）` });
      }
      const addr = listen.host.includes(':') ? `[${r.address.address}]:${r.address.port}` : `${r.address.address}:${r.address.port}`;
      process.stdout.write(
        t(lang, 'responder.listening', { address: addr, tls: tlsCfg ? t(lang, 'responder.withTls') : '', token: token ? t(lang, 'responder.withToken') : t(lang, 'responder.noToken') }) + '\n',
      );
      for (const s of r.skipped) process.stdout.write(t(lang, 'responder.skipped', { what: s }) + '\n');
      const responder = r;
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          const s = responder.stats;
          process.stdout.write(
            t(lang, 'responder.stats', {
              connections: s.connections,
              requests: s.requests,
              udp: s.udpDatagrams,
              badToken: s.rejected['bad-token'],
              rate: s.rejected['rate-limited'],
              malformed: s.rejected.malformed + s.rejected['unknown-op'] + s.rejected['bad-field'] + s.rejected['too-long'],
              busy: s.rejected.busy,
            }) + '\n',
          );
          void responder.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
