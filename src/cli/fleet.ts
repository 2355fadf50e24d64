/**
 * `netdx server …` and `netdx agent …`: the fleet (src/fleet, docs/fleet.md). The server, the
 * agent and their dependencies load only when one of them runs.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { inBoth, readError, usageError } from '../model/errors.js';
import { detectLang } from '../report/i18n.js';
import { shown } from '../model/target.js';
import { ft } from '../fleet/messages.js';

const DEFAULT_LISTEN = '127.0.0.1:9720';
const NAME = /^[A-Za-z0-9._-]{1,128}$/;

interface RawServer {
  listen?: string;
  data?: string;
  db?: string;
  targets?: string;
  tlsCert?: string;
  tlsKey?: string;
  heartbeat?: string;
  lang?: string;
}

interface RawToken {
  name: string;
  labels?: string;
  operator?: boolean;
  data?: string;
  db?: string;
  lang?: string;
}

export function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)=([A-Za-z0-9._:/-]{1,128})\s*$/.exec(part);
    if (!m || m[1]!.startsWith('__')) throw usageError(inBoth((l) => ft(l, 'cli.labels', { value: shown(text) })));
    out[m[1]!] = m[2]!;
  }
  return out;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw readError(
      inBoth((l) => ft(l, 'cli.read', { file: shown(file), code: (err as NodeJS.ErrnoException).code ?? 'error' })),
      err,
    );
  }
}

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'directory of the embedded SQLite store (default: ./netdx-fleet)')
    .option('--db <url>', 'PostgreSQL instead of SQLite: postgres://USER:PASSWORD@HOST:PORT/DB (or NETDX_DB)');
}

export function register(program: Command): void {
  const server = registerServer(program);
  registerTokens(server.command('token').description("manage agents' and operators' tokens"));
  registerAgent(program);
}

function registerServer(program: Command): Command {
  return storeOptions(
    program
      .command('server')
      .description('run the fleet server: agents report to it, it groups their failures into incidents and finds what the failing ones share; web page, /api, /metrics')
      .option('--listen <addr:port>', `address to listen on (default ${DEFAULT_LISTEN})`)
      .option('--targets <file>', "the agents' target list: the monitor's YAML config (docs/monitor.md); SIGHUP reloads it")
      .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
      .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
      .option('--heartbeat <seconds>', 'seconds between agent heartbeats (default 10)')
      .option('--lang <lang>', 'en | zh (default from LANG)'),
  ).action(async (raw: RawServer) => {
    const lang = detectLang(raw.lang);
    if ((raw.tlsCert === undefined) !== (raw.tlsKey === undefined)) throw usageError(inBoth((l) => ft(l, 'cli.tls')));
    const tls = raw.tlsCert && raw.tlsKey ? { cert: read(raw.tlsCert), key: read(raw.tlsKey) } : null;
    let heartbeatS = 10;
    if (raw.heartbeat !== undefined) {
      heartbeatS = Number(raw.heartbeat);
      if (!/^\d+(\.\d+)?$/.test(raw.heartbeat) || heartbeatS < 1 || heartbeatS > 3600) {
        const value = shown(raw.heartbeat);
        throw usageError(inBoth((l) => ft(l, 'cli.heartbeat', { value })));
      }
    }
    const { runServer } = await import('../fleet/daemon.js');
    await runServer({ listen: raw.listen ?? DEFAULT_LISTEN, data: raw.data ?? 'netdx-fleet', db: raw.db ?? process.env['NETDX_DB'] ?? null, targets: raw.targets ?? null, tls, lang, heartbeatS });
  });
}

function registerTokens(token: Command): void {
  storeOptions(
    token
      .command('create')
      .description('create a token; the token alone is the last line of the output')
      .requiredOption('--name <name>', 'agent (or operator) name the token is bound to')
      .option('--labels <k=v,…>', 'labels of the agent, e.g. region=sh,site=sh-01')
      .option('--operator', 'a token for people (API and web page), not for an agent')
      .option('--lang <lang>', 'en | zh (default from LANG)'),
  ).action(async (_o: RawToken, cmd: Command) => {
    const raw = cmd.optsWithGlobals<RawToken>();
    const lang = detectLang(raw.lang);
    if (!NAME.test(raw.name)) throw usageError(inBoth((l) => ft(l, 'cli.name', { value: shown(raw.name) })));
    const labels = parseLabels(raw.labels);
    const { openStore } = await import('../fleet/daemon.js');
    const store = await openStore({ data: raw.data ?? 'netdx-fleet', db: raw.db ?? process.env['NETDX_DB'] ?? null, lang });
    try {
      const kind = raw.operator ? 'operator' : 'agent';
      const { token: tok } = await store.createToken(kind, raw.name, labels);
      const shownLabels = Object.keys(labels).length
        ? ` (${Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')})`
        : '';
      process.stdout.write(`${ft(lang, 'token.created', { kind: ft(lang, `token.kind.${kind}`), name: raw.name, labels: shownLabels })}\n${tok}\n`);
    } finally {
      await store.db.close();
    }
  });
  storeOptions(
    token
      .command('revoke')
      .description('revoke every live token of NAME (or one token by its id)')
      .requiredOption('--name <name>', 'agent or operator name, or a token id')
      .option('--lang <lang>', 'en | zh (default from LANG)'),
  ).action(async (_o: RawToken, cmd: Command) => {
    const raw = cmd.optsWithGlobals<RawToken>();
    const lang = detectLang(raw.lang);
    const { openStore } = await import('../fleet/daemon.js');
    const store = await openStore({ data: raw.data ?? 'netdx-fleet', db: raw.db ?? process.env['NETDX_DB'] ?? null, lang });
    try {
      const n = await store.revokeToken(raw.name);
      if (n === 0) throw usageError(inBoth((l) => ft(l, 'token.none', { name: raw.name })));
      process.stdout.write(ft(lang, 'token.revoked', { n, name: raw.name }) + '\n');
    } finally {
      await store.db.close();
    }
  });
  storeOptions(token.command('list').description('list tokens (names, kinds, labels; never the tokens themselves)').option('--lang <lang>', 'en | zh (default from LANG)')).action(
    async (_o: unknown, cmd: Command) => {
      const raw = cmd.optsWithGlobals<{ data?: string; db?: string; lang?: string }>();
      const lang = detectLang(raw.lang);
      const { openStore } = await import('../fleet/daemon.js');
      const store = await openStore({ data: raw.data ?? 'netdx-fleet', db: raw.db ?? process.env['NETDX_DB'] ?? null, lang });
      try {
        for (const t of await store.tokens())
          process.stdout.write(
            `${t.id}  ${ft(lang, t.kind === 'operator' ? 'token.kind.operator' : 'token.kind.agent').padEnd(8)}  ${t.name}  ${
              Object.entries(t.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(',') || '-'
            }  ${t.revokedAt ? ft(lang, 'token.revokedAt', { at: new Date(t.revokedAt).toISOString() }) : ft(lang, 'token.live')}\n`,
          );
      } finally {
        await store.db.close();
      }
    },
  );
}

function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run a fleet agent: watch the targets the server names, report state changes and reports to it, answer its "diagnose now" requests')
    .requiredOption('--server <url>', 'the fleet server, http(s)://HOST:PORT')
    .option('--token <token>', "this agent's token from `netdx server token create` (or NETDX_AGENT_TOKEN)")
    .option('--name <name>', "this agent's name (must be the token's; default: the token's)")
    .option('--data <dir>', 'directory of the outbox: reports wait there while the server is unreachable')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (raw: { server: string; token?: string; name?: string; data?: string; lang?: string }) => {
      const lang = detectLang(raw.lang);
      let u: URL | null = null;
      try {
        u = new URL(raw.server);
      } catch {
        u = null;
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw usageError(inBoth((l) => ft(l, 'cli.server', { value: shown(raw.server) })));
      const tok = raw.token ?? process.env['NETDX_AGENT_TOKEN'];
      if (!tok) throw usageError(inBoth((l) => ft(l, 'cli.token', { name: hostname() })));
      const name = raw.name;
      if (name !== undefined && !NAME.test(name)) throw usageError(inBoth((l) => ft(l, 'cli.name', { value: shown(name) })));
      const { runAgent } = await import('../fleet/agent.js');
      await runAgent({ server: raw.server, token: tok, name: raw.name ?? null, data: raw.data ?? null, lang });
    });
}
