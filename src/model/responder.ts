/** The responder's answer to 'arrived': what the server end saw of a connection. Types only. */

export interface SynView {
  family: 4 | 6;
  /** Source and destination as the server saw them (after any NAT on the path). */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** TTL (IPv4) or hop limit (IPv6) on arrival. */
  ttl: number;
  /** The hops travelled, assuming the sender started at the nearest usual initial TTL (64, 128, 255). */
  hops: number;
  window: number;
  mss: number | null;
  wscale: number | null;
  sackOk: boolean;
  timestamps: boolean;
  /** Every option kind in order, by name ('mss', 'nop', 'wscale', 'sack-ok', 'ts', 'eol', 'opt-N'). */
  options: string[];
}

export interface HelloView {
  recordVersion: string;
  helloVersion: string;
  /** supported_versions (TLS 1.3 clients), highest first as offered. */
  versions: string[];
  sni: string | null;
  alpn: string[];
  cipherSuites: number;
  extensions: number[];
  /** Bytes of the first record (ClientHello) as received. */
  bytes: number;
}

export interface ArrivedReply {
  ok: true;
  v: number;
  peer: { address: string; port: number };
  local: { address: string; port: number };
  syn: SynView | null;
  synSkipped?: string;
  tls: HelloView | null;
  serverTime: number;
}
