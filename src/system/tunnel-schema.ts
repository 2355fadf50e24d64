/**
 * zod schema of TunnelState, for reading a Snapshot bundle from a file (`netdx analyze`): the
 * tunnel layer reads these fields, so a bundle that is not what it claims fails at the edge with
 * one line instead of deep inside a rule. Unknown extra fields pass (a newer netdx may add some).
 */
import { z } from 'zod';
import type { TunnelState } from './tunnel-types.js';

const endpoint = z.looseObject({ host: z.string().max(255), port: z.number().int().min(0).max(65535), proto: z.enum(['udp', 'tcp']), name: z.string().max(255).optional() });
const prefixes = z.array(z.string().max(64)).max(100_000);

const peer = z.looseObject({
  publicKey: z.string().max(64).nullable(),
  name: z.string().max(255).nullable(),
  endpoint: endpoint.nullable(),
  allowedIps: prefixes,
  latestHandshake: z.number().nullable(),
  rxBytes: z.number().nullable(),
  txBytes: z.number().nullable(),
  keepaliveSec: z.number().nullable(),
});

const openvpn = z.looseObject({
  mode: z.enum(['client', 'server']),
  pid: z.number().nullable(),
  configFile: z.string().nullable(),
  remotes: z.array(endpoint).max(64),
  activeRemote: endpoint.nullable(),
  devType: z.enum(['tun', 'tap']),
  cipher: z.string().nullable(),
  auth: z.string().nullable(),
  tlsAuth: z.boolean(),
  compress: z.boolean(),
  state: z.string().nullable(),
  stateDetail: z.string().nullable(),
  stateSince: z.number().nullable(),
  linkReadBytes: z.number().nullable(),
  linkWriteBytes: z.number().nullable(),
  statusFile: z.string().nullable(),
  management: z.string().nullable(),
  routes: prefixes,
  pingSec: z.number().nullable(),
  pingRestartSec: z.number().nullable(),
});

export const tunnelStateSchema = z.looseObject({
  kind: z.enum(['wireguard', 'openvpn', 'other']),
  dev: z.string().min(1).max(64),
  source: z.enum(['running', 'config']),
  link: z.looseObject({ up: z.boolean(), carrier: z.boolean().nullable(), mtu: z.number().nullable(), kind: z.string().nullable(), addresses: prefixes }).nullable(),
  mtu: z.number().nullable(),
  listenPort: z.number().nullable(),
  fwmark: z.number().int().min(0).max(0xffffffff).nullable().optional(),
  peers: z.array(peer).max(100_000),
  networks: prefixes,
  service: z.string().nullable(),
  openvpn: openvpn.optional(),
  problems: z.array(z.string()).max(1000),
}) satisfies z.ZodType<TunnelState>;

/** The `tunnels` part of a Snapshot: a value or why it was unavailable. */
export const tunnelsSchema = z.union([z.object({ ok: z.literal(true), value: z.array(tunnelStateSchema) }), z.object({ ok: z.literal(false), unavailable: z.string() })]);
