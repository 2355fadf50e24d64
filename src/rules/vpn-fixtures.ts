/**
 * Test builders for the tunnel layer (VPN-00N): the lab's WireGuard client wg0 (100.96.0.2/24,
 * server 100.96.0.1 behind the endpoint 203.0.113.10:51820) with healthy defaults. Each builder
 * takes a partial override, like ./fixtures.ts.
 */
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { NOW, echo, link, links, loopback, routeLookup, snapshot } from './fixtures.js';
import type { Snapshot } from '../model/snapshot.js';

type D<K extends keyof ObservationData> = ObservationData[K];

export const SERVER_KEY = 'CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=';
export const VTARGET = '100.96.0.1';
export const ENDPOINT = '203.0.113.10';
const nowSec = Math.floor(NOW.getTime() / 1000);

export const wgPeer = (over: Partial<D<'tunnel.state'>['peers'][number]> = {}): D<'tunnel.state'>['peers'][number] => ({
  publicKey: SERVER_KEY,
  name: null,
  endpoint: `${ENDPOINT}:51820/udp`,
  endpointName: null,
  allowedIps: ['100.96.0.0/24'],
  latestHandshake: nowSec - 30,
  rxBytes: 716,
  txBytes: 1956,
  keepaliveSec: 25,
  ...over,
});

export const tunnelState = (over: Partial<D<'tunnel.state'>> = {}): Observation<'tunnel.state'> =>
  observation('tunnel.state', {
    dev: 'wg0',
    kind: 'wireguard',
    source: 'running',
    selectedBy: 'route',
    present: true,
    up: true,
    mtu: 1420,
    networks: ['100.96.0.0/24'],
    targetNetwork: '100.96.0.0/24',
    service: 'wg-quick@wg0',
    peerCount: 1,
    peers: [wgPeer()],
    carrier: SERVER_KEY,
    openvpn: null,
    problems: [],
    ...over,
  });

export const handshake = (over: Partial<D<'tunnel.handshake'>> = {}): Observation<'tunnel.handshake'> =>
  observation('tunnel.handshake', {
    dev: 'wg0',
    peer: SERVER_KEY,
    endpoint: `${ENDPOINT}:51820/udp`,
    method: 'wg-counters',
    outcome: 'fresh',
    ageSec: 30,
    txBefore: 1956,
    txAfter: 1956,
    rxBefore: 716,
    rxAfter: 716,
    waitedMs: 0,
    ...over,
  });

export const endpoint = (over: Partial<D<'tunnel.endpoint'>> = {}): Observation<'tunnel.endpoint'> =>
  observation('tunnel.endpoint', {
    dev: 'wg0',
    peer: SERVER_KEY,
    host: ENDPOINT,
    address: ENDPOINT,
    port: 51820,
    proto: 'udp',
    resolve: null,
    probe: { method: 'none', outcome: 'not-probed', ms: 0, reason: 'WireGuard answers no unauthenticated packet' },
    ...over,
  });

/** The target's route into wg0. */
export const tunnelRoute = (over: Partial<D<'route.lookup'>> = {}): Observation<'route.lookup'> =>
  routeLookup(VTARGET, {
    dev: 'wg0',
    gateway: null,
    src: '100.96.0.2',
    route: '100.96.0.1 dev wg0 src 100.96.0.2',
    candidates: [{ prefix: '100.96.0.0/24', table: 'main', dev: 'wg0', gateway: null, metric: null, type: 'unicast', text: '100.96.0.0/24 dev wg0 proto kernel scope link src 100.96.0.2' }],
    ...over,
  });

/** The endpoint's underlay route: the default route via the LAN gateway. */
export const endpointRoute = (over: Partial<D<'route.lookup'>> = {}): Observation<'route.lookup'> => routeLookup(ENDPOINT, over);

export const tunnelMtu = (over: Partial<D<'tunnel.mtu'>> = {}): Observation<'tunnel.mtu'> =>
  observation('tunnel.mtu', {
    dev: 'wg0',
    endpoint: `${ENDPOINT}:51820/udp`,
    tunnelMtu: 1420,
    overhead: 60,
    overheadWhy: 'WireGuard over IPv4: 20 IP + 8 UDP + 32 WireGuard header and tag',
    needed: 1480,
    method: 'ping',
    neededPasses: true,
    largestPass: 1480,
    smallestFail: null,
    fragNeeded: null,
    overlay: null,
    ...over,
  });

export const tunnelIdle = (over: Partial<D<'tunnel.idle'>> = {}): Observation<'tunnel.idle'> =>
  observation('tunnel.idle', {
    dev: 'wg0',
    peer: SERVER_KEY,
    address: VTARGET,
    keepaliveSec: null,
    peerKeepaliveSec: null,
    trials: [
      { idleSec: 2, alive: true },
      { idleSec: 4, alive: true },
    ],
    aliveAfterSec: 4,
    deadAfterSec: null,
    maxSec: 30,
    ...over,
  });

/** A healthy WireGuard diagnosis of 100.96.0.1: links, the route into wg0, the endpoint's underlay, a fresh handshake. */
export function healthyTunnel(): Observation[] {
  return [
    links(loopback(), link('eth0'), link('wg0', { kind: 'tun', mtu: 1420, addresses: [{ family: 4, address: '100.96.0.2', prefixlen: 24, scope: 'global' }] })),
    tunnelRoute(),
    echo({ address: VTARGET }),
    tunnelState(),
    endpointRoute(),
    echo({ address: ENDPOINT, sent: 3 }),
    endpoint(),
    handshake(),
    tunnelMtu(),
  ];
}

/** A snapshot with the LAN 198.51.100.0/24 on eth0, wg0 100.96.0.0/24 and a default route via 198.51.100.1. */
export function tunnelSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  const base = snapshot();
  const routes = base.routes.ok ? base.routes.value : [];
  return snapshot({
    routes: {
      ok: true,
      value: [
        ...routes,
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '198.51.100.0/24',
          gateway: null,
          dev: 'eth0',
          src: '198.51.100.10',
          metric: null,
          protocol: 'kernel',
          scope: 'link',
          nexthops: [],
          text: '198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.10',
        },
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '100.96.0.0/24',
          gateway: null,
          dev: 'wg0',
          src: '100.96.0.2',
          metric: null,
          protocol: 'kernel',
          scope: 'link',
          nexthops: [],
          text: '100.96.0.0/24 dev wg0 proto kernel scope link src 100.96.0.2',
        },
      ],
    },
    ...over,
  });
}
