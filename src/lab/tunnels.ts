/**
 * Real tunnels for the VPN scenarios: a WireGuard hub (wireguard-go; the kernel here has
 * no WireGuard module) and an OpenVPN server over TUN, both on the server host at VPN_ADDR, with
 * clients in the two regions. Everything is built inside a scenario's inject() through LabApi
 * with undo steps (links deleted — wireguard-go exits with its interface —, OpenVPN killed by the
 * pid it wrote, files removed), so the lab's revert leaves the hosts as built.
 *
 * wireguard-go keeps its control socket in /var/run/wireguard/NAME.sock, shared by all network
 * namespaces, so interface names carry this process's id (unique on the machine).
 * Overlay addresses: WireGuard 100.96.0.0/24 (hub .1), OpenVPN 100.97.0.0/24 with the pushed
 * network 100.98.0.0/24 behind the server (100.98.0.1).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabApi } from './scenario.js';
import { ADDR } from './topology.js';

/** The VPN server's public address on the server host (an unused address of its /27). */
export const VPN_ADDR = '203.0.113.29';
export const WG_PORT = 51820;
export const OVPN_PORT = 1194;
/** The WireGuard hub's virtual address, and the clients'. */
export const WG_HUB = '100.96.0.1';
export const WG_CLIENT = { client: '100.96.0.11', client2: '100.96.0.12' } as const;
/** Behind the OpenVPN server (pushed route 100.98.0.0/24). */
export const OVPN_TARGET = '100.98.0.1';

export type Region = 'client' | 'client2';

const id = (): string => String(process.pid % 100000);
/** Interface names unique on the machine (≤ 15 characters). */
export const wgDev = (who: Region | 'srv'): string => `ndw${id()}${who === 'srv' ? 's' : who === 'client' ? 'a' : 'b'}`;
export const ovpnDev = (who: Region | 'srv'): string => `ndo${id()}${who === 'srv' ? 's' : who === 'client' ? 'a' : 'b'}`;

let workDir: string | null = null;
/** A private directory for keys and configs of this process (removed when a scenario reverts). */
function dir(): string {
  if (!workDir || !existsSync(workDir)) {
    workDir = mkdtempSync(join(tmpdir(), 'ndx-lab-vpn-'));
    chmodSync(workDir, 0o700);
  }
  return workDir;
}

function write(name: string, text: string): string {
  const p = join(dir(), name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

export interface WgKey {
  privateFile: string;
  publicKey: string;
}

/** A WireGuard key pair (X25519 from node:crypto), the private half in a 0600 file. */
export function wgKey(name: string): WgKey {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const priv = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32).toString('base64');
  const pub = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
  return { privateFile: write(`${name}.key`, `${priv}\n`), publicKey: pub };
}

/** The public VPN address on the server host, removed on revert. */
export async function serverAddress(lab: LabApi): Promise<void> {
  await lab.ip('srv', `addr add ${VPN_ADDR}/27 dev eth0`, `addr del ${VPN_ADDR}/27 dev eth0`);
}

/** Starts wireguard-go for `dev` in a host; deleting the link on revert ends the daemon. */
async function wgInterface(lab: LabApi, host: 'srv' | Region, dev: string, addrs: string[], mtu: number | null): Promise<void> {
  await lab.change(host, ['wireguard-go', dev], ['ip', 'link', 'del', dev]);
  for (const a of addrs) await lab.sh(host, ['ip', 'addr', 'add', a, 'dev', dev]);
  if (mtu !== null) await lab.sh(host, ['ip', 'link', 'set', dev, 'mtu', String(mtu)]);
  await lab.sh(host, ['ip', 'link', 'set', dev, 'up']);
}

export interface WgHubOptions {
  clients?: Region[];
  /** Client side persistent keepalive (null: off). Default 25. */
  keepalive?: number | null;
  /** What the client routes into the tunnel (AllowedIPs of the hub peer). Default 100.96.0.0/24. */
  clientAllowed?: string;
  /** The client's interface address (prefix decides the connected route). Default WG_CLIENT[host]/24. */
  clientAddr?: Partial<Record<Region, string>>;
  /** Extra addresses of the hub's interface (networks "behind" the hub). */
  hubAddrs?: string[];
  /** AllowedIPs of each client on the hub. Default its /32. */
  hubAllowed?: Partial<Record<Region, string>>;
  /** Extra `ip route add …` on a client after the tunnel is up. */
  clientRoutes?: Partial<Record<Region, string[]>>;
  mtu?: number | null;
  /** The hub forwards between its peers (a virtual LAN). */
  forward?: boolean;
  /** Send a first packet through each client's tunnel so that the handshake is done. Default true. */
  connect?: boolean;
}

export interface WgHub {
  hubKey: string;
  clientKey: Record<Region, string>;
}

/** A WireGuard hub on the server host and the given clients, each with the hub as its one peer. */
export async function wireguardHub(lab: LabApi, o: WgHubOptions = {}): Promise<WgHub> {
  const clients = o.clients ?? ['client'];
  await serverAddress(lab);
  await lab.change('srv', ['mkdir', '-p', dir()], ['rm', '-rf', dir()]);
  const hub = wgKey('hub');
  const keys = Object.fromEntries(clients.map((c) => [c, wgKey(c)])) as Record<Region, WgKey>;
  const hubDev = wgDev('srv');
  await wgInterface(lab, 'srv', hubDev, [`${WG_HUB}/24`, ...(o.hubAddrs ?? [])], o.mtu ?? null);
  await lab.sh('srv', ['wg', 'set', hubDev, 'listen-port', String(WG_PORT), 'private-key', hub.privateFile]);
  if (o.forward) await lab.sysctl('srv', 'net.ipv4.ip_forward', '1');
  for (const c of clients) {
    await lab.sh('srv', ['wg', 'set', hubDev, 'peer', keys[c].publicKey, 'allowed-ips', o.hubAllowed?.[c] ?? `${WG_CLIENT[c]}/32`]);
    const dev = wgDev(c);
    await wgInterface(lab, c, dev, [o.clientAddr?.[c] ?? `${WG_CLIENT[c]}/24`], o.mtu ?? null);
    const ka = o.keepalive === undefined ? 25 : o.keepalive;
    await lab.sh(c, [
      'wg',
      'set',
      dev,
      'private-key',
      keys[c].privateFile,
      'peer',
      hub.publicKey,
      'endpoint',
      `${VPN_ADDR}:${WG_PORT}`,
      'allowed-ips',
      o.clientAllowed ?? '100.96.0.0/24',
      'persistent-keepalive',
      ka === null ? 'off' : String(ka),
    ]);
    for (const r of o.clientRoutes?.[c] ?? []) await lab.sh(c, ['ip', 'route', 'add', ...r.split(/\s+/), 'dev', dev]);
    if (o.connect ?? true) await lab.sh(c, ['ping', '-c', '1', '-W', '2', WG_HUB]).catch(() => '');
  }
  return { hubKey: hub.publicKey, clientKey: Object.fromEntries(clients.map((c) => [c, keys[c].publicKey])) as Record<Region, string> };
}

// ── OpenVPN ────────────────────────────────────────────────────────────

let pki: { ca: string; server: [string, string]; client: [string, string]; stranger: [string, string] } | null = null;

/** A small EC PKI for OpenVPN (lab CA, server and client certificates), made once per process with openssl. */
function openvpnPki(): NonNullable<typeof pki> {
  if (pki && existsSync(pki.ca)) return pki;
  const d = join(dir(), 'pki');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const ossl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  const ca = join(d, 'ca.crt');
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(d, 'ca.key'), '-out', ca, '-days', '30', '-subj', '/CN=netdx lab VPN CA']);
  const leaf = (n: string, eku: string): [string, string] => {
    const key = join(d, `${n}.key`);
    const crt = join(d, `${n}.crt`);
    const ext = join(d, `${n}.ext`);
    writeFileSync(ext, `keyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=${eku}\n`);
    ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', join(d, `${n}.csr`), '-subj', `/CN=${n}`]);
    ossl(['x509', '-req', '-in', join(d, `${n}.csr`), '-CA', ca, '-CAkey', join(d, 'ca.key'), '-CAcreateserial', '-out', crt, '-days', '30', '-extfile', ext]);
    return [crt, key];
  };
  const stranger: [string, string] = [join(d, 'stranger.crt'), join(d, 'stranger.key')];
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', stranger[1], '-out', stranger[0], '-days', '30', '-subj', '/CN=client']);
  pki = { ca, server: leaf('server', 'serverAuth'), client: leaf('client', 'clientAuth'), stranger };
  return pki;
}

export interface OpenVpnOptions {
  client?: Region;
  proto?: 'udp' | 'tcp';
  /** The client's `remote` host (default VPN_ADDR; a name exercises resolution). */
  remote?: string;
  /** Wait until the client's tunnel is up (default true). */
  waitConnected?: boolean;
  /** The client starts at all (default true). */
  startClient?: boolean;
  /** `route NET MASK` lines of the client's own config (some sites configure routes client-side). */
  clientRoutes?: string[];
  /** The client presents a self-signed certificate the server's CA did not issue. */
  untrustedClientCert?: boolean;
}

async function daemon(lab: LabApi, host: 'srv' | Region, name: string, conf: string): Promise<void> {
  const pid = join(dir(), `${name}.pid`);
  await lab.change(
    host,
    ['openvpn', '--daemon', name, '--config', conf, '--writepid', pid, '--log', join(dir(), `${name}.log`)],
    ['sh', '-c', `test -s ${pid} && kill $(cat ${pid}); for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $(cat ${pid}) 2>/dev/null || exit 0; sleep 0.1; done`],
  );
}

/** An OpenVPN server on the server host and a client (management on its loopback, status file). */
export async function openvpnSetup(lab: LabApi, o: OpenVpnOptions = {}): Promise<{ clientDev: string }> {
  const c = o.client ?? 'client';
  const proto = o.proto ?? 'udp';
  const p = openvpnPki();
  await serverAddress(lab);
  await lab.change('srv', ['mkdir', '-p', dir()], ['rm', '-rf', dir()]);
  await lab.ip('srv', `addr add ${OVPN_TARGET}/32 dev lo`, `addr del ${OVPN_TARGET}/32 dev lo`);
  const srvDev = ovpnDev('srv');
  const server = write(
    'server.conf',
    [
      `dev ${srvDev}`,
      'dev-type tun',
      `proto ${proto === 'udp' ? 'udp' : 'tcp-server'}`,
      `local ${VPN_ADDR}`,
      `port ${OVPN_PORT}`,
      `ca ${p.ca}`,
      `cert ${p.server[0]}`,
      `key ${p.server[1]}`,
      'dh none',
      'topology subnet',
      'server 100.97.0.0 255.255.255.0',
      'push "route 100.98.0.0 255.255.255.0"',
      'keepalive 10 60',
      'verb 3',
    ].join('\n') + '\n',
  );
  await daemon(lab, 'srv', 'ndx-ovpn-srv', server);
  if (o.startClient === false) return { clientDev: ovpnDev(c) };
  const dev = ovpnDev(c);
  const [cert, key] = o.untrustedClientCert ? p.stranger : p.client;
  const client = write(
    `${c}.conf`,
    [
      'client',
      `dev ${dev}`,
      'dev-type tun',
      `proto ${proto === 'udp' ? 'udp' : 'tcp-client'}`,
      `remote ${o.remote ?? VPN_ADDR} ${OVPN_PORT}`,
      'nobind',
      'connect-retry 1',
      `ca ${p.ca}`,
      `cert ${cert}`,
      `key ${key}`,
      'remote-cert-tls server',
      'verb 3',
      `status ${join(dir(), `${c}.status`)} 1`,
      'management 127.0.0.1 7505',
      ...(o.clientRoutes ?? []).map((r) => `route ${r}`),
    ].join('\n') + '\n',
  );
  await daemon(lab, c, `ndx-ovpn-${c}`, client);
  if (o.waitConnected ?? true) {
    for (let i = 0; i < 100; i++) {
      const out = await lab.sh(c, ['ip', '-o', '-4', 'addr', 'show']).catch(() => '');
      if (out.includes(dev)) return { clientDev: dev };
      await new Promise((r) => setTimeout(r, 100));
    }
    const tail = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').slice(-3).join(' | ') : 'no log');
    throw new Error(`OpenVPN client in ${c} did not connect within 10 s: client log: ${tail(join(dir(), `ndx-ovpn-${c}.log`))}; server log: ${tail(join(dir(), 'ndx-ovpn-srv.log'))}`);
  }
  return { clientDev: dev };
}

/**
 * The seed's incident over the virtual LAN: both regions have a WireGuard tunnel to the same VPN
 * server; then Shanghai's (client2's) route to the server network points at the HK ISP router,
 * which forwards it into a network that drops it. Beijing (client) is untouched.
 */
export async function vpnServerViaHk(lab: LabApi): Promise<void> {
  await wireguardHub(lab, { clients: ['client', 'client2'] });
  await lab.ip('client2', `route add 203.0.113.0/24 via ${ADDR.wrongLan}`, `route del 203.0.113.0/24 via ${ADDR.wrongLan}`);
}
