/**
 * zod schema of the Snapshot, for reading a bundle from a file (`netdx analyze`, `--snapshot`):
 * a bundle that is not what it claims fails at the edge with one line instead of deep inside a
 * rule. Unknown extra fields pass and are dropped (a newer netdx may add some); descriptive fields an older or
 * hand-written bundle may lack get their "not known" value. The schema and the types in
 * ./snapshot.ts are tied both ways: what the schema outputs is a Snapshot (`satisfies`, so a
 * parsed file needs no cast), and every Snapshot the collectors write is valid input
 * (snapshot-schema.test.ts checks that at compile time).
 */
import { z } from 'zod';
import type { Snapshot } from './snapshot.js';
import type { TunnelState } from './tunnel.js';

const endpoint = z.object({ host: z.string().max(255), port: z.number().int().min(0).max(65535), proto: z.enum(['udp', 'tcp']), name: z.string().max(255).optional() });
const prefixes = z.array(z.string().max(64)).max(100_000);

const peer = z.object({
  publicKey: z.string().max(64).nullable(),
  name: z.string().max(255).nullable(),
  endpoint: endpoint.nullable(),
  allowedIps: prefixes,
  latestHandshake: z.number().nullable(),
  rxBytes: z.number().nullable(),
  txBytes: z.number().nullable(),
  keepaliveSec: z.number().nullable(),
});

const openvpn = z.object({
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

export const tunnelStateSchema = z.object({
  kind: z.enum(['wireguard', 'openvpn', 'other']),
  dev: z.string().min(1).max(64),
  source: z.enum(['running', 'config']),
  link: z.object({ up: z.boolean(), carrier: z.boolean().nullable(), mtu: z.number().nullable(), kind: z.string().nullable(), addresses: prefixes }).nullable(),
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

const collected = <T extends z.ZodType>(value: T) => z.union([z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), unavailable: z.string() })]);
const family = z.union([z.literal(4), z.literal(6)]);

const nexthop = z.object({ gateway: z.string().nullable(), dev: z.string().nullable(), weight: z.number().nullable() });
const route = z.object({
  family,
  table: z.string(),
  type: z.string(),
  dst: z.string(),
  gateway: z.string().nullable(),
  dev: z.string().nullable(),
  src: z.string().nullable(),
  metric: z.number().nullable(),
  protocol: z.string().nullable(),
  scope: z.string().nullable(),
  nexthops: z.array(nexthop),
  text: z.string(),
  flags: z.array(z.string()).optional(),
  from: z.string().optional(),
  tos: z.string().optional(),
  pref: z.string().optional(),
  nhid: z.number().optional(),
});
const policyRule = z.object({
  family,
  priority: z.number(),
  src: z.string().nullable(),
  dst: z.string().nullable(),
  action: z.string(),
  table: z.string().nullable(),
  fwmark: z.string().nullable(),
  iif: z.string().nullable(),
  oif: z.string().nullable(),
  not: z.boolean(),
  text: z.string(),
  goto: z.number().optional(),
  suppressPrefixlen: z.number().optional(),
  other: z.array(z.string()).optional(),
});
const address = z.object({ family, address: z.string(), prefixlen: z.number(), scope: z.string(), dynamic: z.boolean().optional(), peer: z.string().optional() });
const link = z.object({
  name: z.string(),
  index: z.number(),
  up: z.boolean(),
  carrier: z.boolean().nullable().default(null),
  operstate: z.string().default('UNKNOWN'),
  mtu: z.number().nullable().default(null),
  kind: z.string().nullable().default(null),
  loopback: z.boolean().default(false),
  mac: z.string().nullable().default(null),
  master: z.string().nullable().default(null),
  addresses: z.array(address),
});
const neighbor = z.object({ family, address: z.string(), dev: z.string(), lladdr: z.string().nullable().default(null), state: z.array(z.string()).default([]), router: z.boolean().default(false) });
const lineNote = z.object({ line: z.number(), text: z.string(), reason: z.string().optional() });
const resolv = z.object({
  path: z.string().default('/etc/resolv.conf'),
  nameservers: z.array(z.string()),
  search: z.array(z.string()),
  options: z
    .object({ timeout: z.number(), attempts: z.number(), rotate: z.boolean(), ndots: z.number(), other: z.array(z.string()) })
    .default({ timeout: 5, attempts: 2, rotate: false, ndots: 1, other: [] }),
  ignored: z.array(lineNote).default([]),
});
const hosts = z.object({
  path: z.string().default('/etc/hosts'),
  entries: z.array(z.object({ line: z.number().default(0), address: z.string(), names: z.array(z.string()), text: z.string().default('') })),
  ignored: z.array(lineNote.extend({ reason: z.string() })).optional(),
});
const nsswitch = z.object({ path: z.string().default('/etc/nsswitch.conf'), hosts: z.array(z.string()), line: z.number().optional(), defaulted: z.boolean().optional() });
const listening = z.object({ proto: z.enum(['tcp', 'udp']), local: z.string(), port: z.number(), process: z.string().nullable().default(null), pid: z.number().optional() });

export const snapshotSchema = z.object({
  schema: z.literal('netdx.snapshot/v1'),
  collectedAt: z.string(),
  hostname: z.string(),
  kernel: z.string(),
  uid: z.number(),
  links: collected(z.array(link)),
  routes: collected(z.array(route)),
  rules: collected(z.array(policyRule)),
  neighbors: collected(z.array(neighbor)),
  resolv: collected(resolv),
  hosts: collected(hosts),
  nsswitch: collected(nsswitch),
  firewall: z.object({
    iptables: collected(z.string()),
    ip6tables: collected(z.string()),
    nft: collected(z.unknown()),
    ufw: collected(z.string()),
    ipset: collected(z.string()).optional(),
  }),
  sysctls: collected(z.record(z.string(), z.string())),
  listening: collected(z.array(listening)),
  proxyEnv: z.record(z.string(), z.string()),
  time: z.object({ local: z.string(), timezone: z.string(), ntpSynchronized: z.boolean().nullable().default(null) }),
  tunnels: tunnelsSchema.optional(),
}) satisfies z.ZodType<Snapshot, unknown>;

/** What a snapshot file may contain: a Snapshot, or an older / hand-written one with descriptive fields missing. */
export type SnapshotInput = z.input<typeof snapshotSchema>;
