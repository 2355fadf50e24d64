import type { Lang } from './layer.js';

/** The application heartbeat to exercise (`--heartbeat`), parsed by src/probes/heartbeat.ts. */
export interface HeartbeatSpec {
  send: string;
  expect: string;
  everySec: number;
  count: number;
  /** Wait for each reply (default: the smaller of `every` and 2 s). */
  replySec: number;
}

/** Options of one diagnosis, validated once at the edge (CLI or API). */
export interface DiagnoseOptions {
  lang: Lang;
  /** Overall budget in ms (--timeout); layers get RTT-derived shares of it. */
  timeoutMs: number;
  sni?: string;
  expectIp?: string[];
  expectGateway?: string;
  /** PEM bundle to trust instead of the system store (--ca). */
  caFile?: string;
  ca?: string;
  certFile?: string;
  cert?: string;
  keyFile?: string;
  key?: string;
  /** 'sha256/BASE64' SPKI pin or 'sha256:HEX' certificate fingerprint. */
  pin?: string;
  tlsMin?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  tlsMax?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** TLS-008 warning window in days. */
  certWarnDays: number;
  /** HOST-003 tolerance in seconds. */
  clockToleranceSec: number;
  /** ICMP echo count. */
  pingCount: number;
  /** `--tunnel DEV`: walk the tunnel layer for this interface whatever the route says. */
  tunnel?: string;
  /** `--tunnel-idle DURATION`: run the tunnel idle test (VPN-007) up to this idle time, ms. */
  tunnelIdleMs?: number;
  /** `--idle MAX`: idle-hold test up to MAX seconds (TCP-006). */
  idleMaxSec?: number;
  /** `--backlog N`: N parallel connects (TCP-005). */
  backlog?: number;
  /** `--heartbeat SPEC`: the application heartbeat to exercise (APP-001). */
  heartbeat?: HeartbeatSpec;
  /** `--responder HOST:PORT [--token T]`: a netdx responder next to the server. */
  responder?: { host: string; port: number; token: string | null };
}

export const DEFAULT_OPTIONS: DiagnoseOptions = {
  lang: 'en',
  timeoutMs: 10_000,
  certWarnDays: 30,
  clockToleranceSec: 60,
  pingCount: 10,
};
