/**
 * Observations: one typed fact each, a discriminated union keyed by `kind`.
 * Probes, collectors and analyzers produce them; rules read them. None decides what is a fault.
 * Every observation carries `at` (ISO time it was made) and `ms` (how long it took).
 */
import type { Layer } from './layer.js';

export interface IcmpError {
  /** ICMP(v6) type and code as numbers, and the router/host that sent it. */
  type: number;
  code: number;
  from: string;
  /** Human name: 'host-unreachable', 'admin-prohibited', 'port-unreachable', 'frag-needed', 'time-exceeded' … */
  name: string;
  /** Next-hop MTU for frag-needed / packet-too-big. */
  mtu?: number;
}

export interface CertInfo {
  subject: string;
  /** The subject CN, if any. */
  commonName: string | null;
  issuer: string;
  sans: string[];
  notBefore: string; // ISO
  notAfter: string; // ISO
  serial: string;
  fingerprint256: string; // 'AB:CD:…' as node prints it
  /** sha256 of the SubjectPublicKeyInfo, base64 (HPKP style pin) */
  spki256: string | null;
  selfSigned: boolean;
  isCA: boolean;
  /** PEM size in bytes (for hostile-server checks). */
  bytes: number;
  /** Authority Information Access caIssuers URLs: where the issuer's certificate is published (a CA-issued leaf has it). */
  caIssuers?: string[];
  /** Authority Information Access OCSP responder URLs. */
  ocspUrls?: string[];
}

export interface ObservationData {
  // ── host ───────────────────────────────────────────────────────────
  /** Every interface with its state and addresses (from the snapshot). */
  'host.links': {
    links: Array<{
      name: string;
      up: boolean;
      carrier: boolean | null;
      mtu: number | null;
      kind: string | null; // 'veth' | 'tun' | 'wireguard' | 'loopback' | …
      loopback: boolean;
      addresses: Array<{ family: 4 | 6; address: string; prefixlen: number; scope: string }>;
    }>;
  };
  /** Local clock against time sources the diagnosis met (TLS/HTTP Date). */
  'host.clock': {
    local: string;
    sources: Array<{ source: 'http-date' | 'tls' | 'responder'; peer: string; time: string; skewMs: number }>;
  };
  /** Proxy variables that apply to this target. */
  'host.proxy': {
    variables: Array<{ name: string; value: string }>;
    /** The proxy that the target's protocol would use, or null when none applies / NO_PROXY exempts it. */
    selected: { variable: string; host: string; port: number } | null;
    noProxyMatch: string | null;
  };
  /** A TCP connect to the selected proxy. */
  'proxy.connect': { host: string; port: number; outcome: TcpOutcome; ms: number; error?: string };

  // ── dns ────────────────────────────────────────────────────────────
  'dns.config': {
    nameservers: string[];
    search: string[];
    timeoutSec: number;
    attempts: number;
    rotate: boolean;
    nsswitchHosts: string[]; // e.g. ['files', 'dns']
    source: string; // path read
  };
  /** /etc/hosts lines naming the target. */
  'dns.hosts': { path: string; matches: Array<{ line: number; address: string; names: string[]; text: string }> };
  /** One query to one resolver. */
  'dns.query': {
    server: string;
    port: number;
    name: string;
    qtype: 'A' | 'AAAA';
    transport: 'udp' | 'tcp';
    outcome: 'answer' | 'timeout' | 'unreachable' | 'error';
    rcode: string | null; // 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | …
    answers: Array<{ address: string; ttl: number }>;
    cnames: string[];
    truncated: boolean;
    ms: number;
    error?: string;
    /** The first bytes (hex, at most 48) of a reply that could not be used: malformed, another id, garbage over TCP. */
    reply?: string;
  };
  /** What the system resolver (getaddrinfo: hosts file, nsswitch, resolv.conf) returns. */
  'dns.system': {
    name: string;
    addresses: Array<{ address: string; family: 4 | 6 }>;
    error: string | null; // 'ENOTFOUND' | 'EAI_AGAIN' | …
    ms: number;
  };

  // ── network ────────────────────────────────────────────────────────
  /** The kernel's route choice for one destination (`ip -j route get`), plus what competed. */
  'route.lookup': {
    destination: string;
    family: 4 | 6;
    outcome: 'route' | 'no-route' | 'blackhole' | 'unreachable' | 'prohibit' | 'error';
    dev: string | null;
    gateway: string | null;
    src: string | null;
    table: string | null;
    /** The matching route line as `ip route` prints it, when known. */
    route: string | null;
    /** Every route (any table) whose prefix covers the destination, most specific first. */
    candidates: Array<{ prefix: string; table: string; dev: string | null; gateway: string | null; metric: number | null; type: string; text: string }>;
    /** Policy rules consulted in order, with the table they point at. */
    rules: Array<{ priority: number; text: string; table: string | null }>;
    error?: string;
  };
  /** Neighbor (ARP/ND) state of the next hop and whether it answered. */
  'gateway.neighbor': {
    gateway: string;
    dev: string;
    state: string | null; // REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP, or null when absent
    answered: boolean | null; // null: could not test
    method: 'ping' | 'neigh' | 'none';
    reason?: string;
  };
  /** ICMP echo to one address. */
  'icmp.echo': {
    address: string;
    method: 'raw' | 'ping' | 'unavailable';
    sent: number;
    received: number;
    lossPct: number;
    rtt: { min: number; avg: number; max: number; stddev: number } | null;
    errors: IcmpError[];
    reason?: string; // why unavailable
  };
  /** A local-firewall verdict for the target flow (from the analyzer over the snapshot). */
  'firewall.verdict': {
    chain: 'OUTPUT' | 'INPUT' | 'FORWARD';
    proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
    src: string | null;
    dst: string;
    dport: number | null;
    verdict: 'ACCEPT' | 'DROP' | 'REJECT' | 'UNKNOWN';
    /** The deciding rule: backend, table, chain, 1-based rule number in that chain, its text. */
    rule: { backend: 'iptables' | 'ip6tables' | 'nft'; table: string; chain: string; number: number | null; text: string; handle?: number; family?: string } | null;
    rejectWith?: string;
    reason?: string;
  };

  /** A path trace (mtr-style): loss and RTT per hop, one row set per flow (`--paths`). */
  'trace.path': {
    target: string;
    proto: 'icmp' | 'udp' | 'tcp';
    port: number | null;
    /** raw: our own parallel probes; tracepath/traceroute: the system tool (fallback); unavailable: neither. */
    method: 'raw' | 'tracepath' | 'traceroute' | 'unavailable';
    /** What this run could not do and why (fallbacks), in plain words. */
    skipped: string[];
    reason?: string;
    /** Probes per hop and flow. */
    count: number;
    /** Some flow got an answer from the target. */
    reached: boolean;
    /** One entry per flow (Paris-style constant 5-tuple); more than one with --paths. */
    paths: Array<{ flow: string; reached: boolean; hops: TraceHop[] }>;
  };
  /** Path MTU: the largest packet with DF set that passes, the smallest that does not. */
  'pmtu.search': {
    target: string;
    method: 'raw' | 'ping' | 'unavailable';
    /** Sizes are whole IP packets in bytes. */
    largestPass: number | null;
    smallestFail: number | null;
    /** A router's "fragmentation needed"/"packet too big" when one came back. */
    fragNeeded: { from: string; mtu: number } | null;
    /** MTU of the egress interface (dev) the route uses. */
    ifMtu: number | null;
    dev: string | null;
    probes: number;
    /** The TCP large-payload test: does a full-size segment get acknowledged? */
    tcp: {
      port: number;
      outcome: 'passed' | 'stalled' | 'not-run' | 'connect-failed';
      mss: number | null;
      pmtu: number | null;
      bytesSent: number;
      bytesAcked: number;
      retransmits: number;
      ms: number;
      reason?: string;
    } | null;
    reason?: string;
  };

  // ── tunnel ─────────────────────────────────────────────────────────
  /** A tunnel that should carry the target, as its software reports it. */
  'tunnel.state': {
    dev: string;
    kind: 'wireguard' | 'openvpn' | 'other';
    /** running: the live software; config: only a config file names it (service not running); missing: named by --tunnel, nowhere found. */
    source: 'running' | 'config' | 'missing';
    /** Why it was walked: the route leaves through it, the target lies in its networks, or --tunnel. */
    selectedBy: 'route' | 'network' | 'option';
    /** The interface exists in this namespace; its admin state and MTU. */
    present: boolean;
    up: boolean | null;
    mtu: number | null;
    /** Its overlay networks (interface prefixes, allowed IPs, pushed routes; no /0) and the one covering the target. */
    networks: string[];
    targetNetwork: string | null;
    /** The unit that brings it up, when known ('wg-quick@wg0'). */
    service: string | null;
    peerCount: number;
    /** The peers that matter for the target: the one whose allowed IPs cover it, else up to 8. */
    peers: Array<{
      publicKey: string | null;
      name: string | null;
      endpoint: string | null; // 'host:port/udp'
      endpointName: string | null; // configured name of an endpoint shown as an address
      allowedIps: string[];
      latestHandshake: number | null; // unix s, 0 = never
      rxBytes: number | null;
      txBytes: number | null;
      keepaliveSec: number | null;
    }>;
    /** Public key / name of the peer whose allowed IPs cover the target (null: none does). */
    carrier: string | null;
    openvpn: {
      mode: 'client' | 'server';
      state: string | null;
      detail: string | null;
      proto: 'udp' | 'tcp' | null;
      tlsAuth: boolean;
      cipher: string | null;
      devType: 'tun' | 'tap';
      pingSec: number | null;
    } | null;
    /** What the collectors could not read, one line each. */
    problems: string[];
  };
  /** Did the tunnel's handshake complete? WireGuard: counters before/after the target's packets; OpenVPN: its state. */
  'tunnel.handshake': {
    dev: string;
    peer: string;
    endpoint: string | null;
    /** wg-counters: `wg show` watched live; wg-snapshot: the counters recorded in a snapshot (offline analysis); openvpn-state: the management/status state. */
    method: 'wg-counters' | 'wg-snapshot' | 'openvpn-state' | 'none';
    /** fresh: a handshake within the session lifetime; completed: one completed while netdx watched; no-response: initiations went out, nothing came back; stalled: a recent session, but the target's packets went in and nothing came back; not-attempted: nothing was sent; unknown. */
    outcome: 'fresh' | 'completed' | 'no-response' | 'stalled' | 'not-attempted' | 'unknown';
    /** Age of the latest handshake at the end (s); null = never. */
    ageSec: number | null;
    txBefore: number | null;
    txAfter: number | null;
    rxBefore: number | null;
    rxAfter: number | null;
    /** How long netdx watched for a handshake after the first packet (bounded: see docs/vpn.md). */
    waitedMs: number;
    reason?: string;
  };
  /** The underlay towards one tunnel endpoint: name resolution and the endpoint's own port. Route, gateway and ICMP are their own observations (destination = the endpoint address). */
  'tunnel.endpoint': {
    dev: string;
    peer: string;
    host: string;
    /** The address probed (host itself, or what the name resolved to); null when it did not resolve. */
    address: string | null;
    port: number;
    proto: 'udp' | 'tcp';
    resolve: { name: string; addresses: string[]; error: string | null; ms: number } | null;
    /** The endpoint's port: OpenVPN answers a hard-reset packet (UDP without tls-auth) or a TCP connect; WireGuard answers nobody: not probed. */
    probe: {
      method: 'openvpn-reset' | 'tcp-connect' | 'none';
      outcome: 'answered' | 'no-answer' | 'open' | 'refused' | 'filtered' | 'rejected' | 'unreachable' | 'error' | 'not-probed';
      ms: number;
      reason?: string;
    };
  };
  /** Tunnel MTU against the underlay path MTU to the endpoint (DF probes). */
  'tunnel.mtu': {
    dev: string;
    endpoint: string;
    tunnelMtu: number;
    /** Encapsulation overhead in bytes and how it was derived ('WireGuard over IPv4: 60'). */
    overhead: number;
    overheadWhy: string;
    /** tunnelMtu + overhead: the underlay packet size a full tunnel packet needs. */
    needed: number;
    method: 'ping' | 'raw' | 'unavailable';
    /** Underlay: does a DF packet of `needed` bytes pass? null: could not tell (the endpoint answers no ICMP). */
    neededPasses: boolean | null;
    /** How the `needed`-size DF probe ended: passed, silently lost (twice), a router's frag-needed, or the local stack's known path MTU. */
    neededResult?: 'pass' | 'lost' | 'frag-needed' | 'too-big-local' | 'error';
    largestPass: number | null;
    smallestFail: number | null;
    fragNeeded: { from: string; mtu: number } | null;
    /** A DF packet of the full tunnel MTU through the tunnel to the target, when it answers ICMP. */
    overlay: { address: string; size: number; passed: boolean } | null;
    reason?: string;
  };
  /** Idle test on the tunnel: after t idle seconds (no packet from the peer), does the peer still answer? */
  'tunnel.idle': {
    dev: string;
    peer: string;
    address: string;
    keepaliveSec: number | null;
    /** Interval of the packets seen from the peer while idle (its own keepalive), when any came. */
    peerKeepaliveSec: number | null;
    trials: Array<{ idleSec: number; alive: boolean }>;
    aliveAfterSec: number | null;
    deadAfterSec: number | null;
    maxSec: number;
    reason?: string;
  };

  // ── both ends of the wire ──────────────────────────────────────────
  /** What a netdx responder next to the server saw of this client, and the measurements it served. */
  'responder.view': {
    /** HOST:PORT of the responder. */
    responder: string;
    outcome: 'ok' | 'unreachable' | 'refused' | 'error';
    error?: string;
    /** This end of the control connection, and the same connection as the responder saw it. */
    local: { address: string; port: number } | null;
    seen: { address: string; port: number } | null;
    /** The SYN as it arrived (after any middlebox), or why it could not be read. */
    syn: { ttl: number; hops: number; mss: number | null; wscale: number | null; sackOk: boolean; timestamps: boolean; window: number; options: string[] } | null;
    synSkipped?: string;
    /** The MSS this end put in its SYN (TCP_INFO), null without the raw-socket addon. */
    offeredMss: number | null;
    /** Server clock − client clock (ms), from the best of a few exchanges, and that exchange's RTT. */
    clock: { offsetMs: number; rttMs: number } | null;
    /** UDP echoes: sent, counted by the responder (null: the count never came back), answered. */
    loss: { sent: number; arrived: number | null; answered: number; forwardMs: number | null; returnMs: number | null } | null;
    /** DF datagrams of chosen IP sizes sent back by the responder: which arrived. */
    returnMtu: { asked: number[]; arrived: number[]; largestOk: number | null; smallestLost: number | null; df: boolean | null; forwardLargest: number | null } | null;
    /** The TLS ClientHello as the responder received it, when the control connection used TLS. */
    tls?: { sni: string | null; versions: string[]; alpn: string[]; bytes: number } | null;
  };

  // ── transport ──────────────────────────────────────────────────────
  'tcp.connect': {
    address: string;
    port: number;
    family: 4 | 6;
    outcome: TcpOutcome;
    ms: number;
    /** ICMP error seen for the SYN (rejected), when the probe can see it. */
    icmp?: IcmpError;
    errno?: string;
    /** What happened right after the handshake (reset-after-connect check). */
    after?: { event: 'rst' | 'fin' | 'data' | 'quiet'; ms: number; bytes?: number };
    /** Connect attempts made (absent: one). A second is made when one family timed out and the other connected. */
    attempts?: number;
  };

  /**
   * Flow spread: SYNs from N source ports at once. Per-flow load balancing over a broken member
   * (an ECMP branch, a LAG link, a pool member) answers some source ports and loses others.
   */
  'tcp.spread': {
    address: string;
    port: number;
    method: 'raw' | 'unavailable';
    reason?: string;
    flows: Array<{ sport: number; outcome: 'answered' | 'lost' | 'icmp' | 'error'; ms: number | null; icmp?: IcmpError }>;
    answered: number;
    lost: number;
  };
  /** N parallel connects at once (accept-backlog test): how long each took. */
  'tcp.backlog': {
    address: string;
    port: number;
    parallel: number;
    connected: number;
    failed: number;
    /** Connect times in ms, ascending (failed connects are not listed). */
    connectMs: number[];
    /** Connects that needed SYN retransmission (≥ 0.8 s, the first SYN retransmission is at 1 s). */
    retried: number;
    /** Connect times grouped at the SYN retransmission times: [~0, ~1 s, ~3 s, later]. */
    clusters: { first: number; at1s: number; at3s: number; later: number };
  };
  /** Idle-hold test: connections left idle for increasing times, alive or dead when touched. */
  'tcp.idle': {
    address: string;
    port: number;
    /** The longest idle time tested (--idle). */
    maxSec: number;
    /** Each held connection: idle time before the probe byte, and what happened. */
    holds: Array<{ idleSec: number; outcome: 'alive' | 'reset' | 'silent' | 'closed' | 'not-tested' }>;
    /** Largest idle time that survived, smallest that did not (null: none died / none survived). */
    aliveSec: number | null;
    deadSec: number | null;
    /** The keepalive the client had: kernel defaults (sysctl) in seconds. */
    keepalive: { timeSec: number | null; intvlSec: number | null; probes: number | null };
    ms: number;
  };

  // ── tls ────────────────────────────────────────────────────────────
  'tls.handshake': {
    address: string;
    port: number;
    sni: string | null;
    outcome: 'ok' | 'verify-failed' | 'alert' | 'stall' | 'not-tls' | 'reset' | 'closed' | 'tcp-failed' | 'error';
    ms: number;
    protocol: string | null; // 'TLSv1.3'
    cipher: string | null;
    /** Versions tried for this handshake. */
    minVersion: string;
    maxVersion: string;
    /** Alert description received from the server, e.g. 'handshake_failure', 'certificate_required', 'protocol_version'. */
    alert: string | null;
    /** Error code from the TLS stack (OpenSSL/node), e.g. 'CERT_HAS_EXPIRED', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'. */
    errorCode: string | null;
    error: string | null;
    /** Certificates as presented, leaf first. */
    chain: CertInfo[];
    /** Verification against the trust store (or --ca). */
    verify: { ok: boolean; code: string | null; hostnameOk: boolean | null; trustedBy: 'system' | 'ca-file' | null };
    /** The pin given with --pin, and whether some certificate of the chain matched it. */
    pin: { expected: string; matched: boolean } | null;
    /** The first bytes the server sent, when it was not TLS (printable, truncated). */
    banner: string | null;
    /** Whether a client certificate was offered (--cert/--key). */
    clientCertOffered: boolean;
    /** The server asked for a client certificate (CertificateRequest seen / alert). */
    clientCertRequested: boolean | null;
    /** The CA names of the server's CertificateRequest (TLS 1.2 clear text, TLS 1.3 decrypted), when it sent one. */
    clientCertCAs?: string[];
    /**
     * The OCSP status the server stapled (requested with status_request), about the leaf; absent
     * when the handshake did not get that far. certStatus null: the response says nothing of the leaf.
     */
    ocsp?: {
      stapled: boolean;
      responseStatus?: string;
      certStatus?: 'good' | 'revoked' | 'unknown' | null;
      revokedAt?: string;
      reason?: string;
      thisUpdate?: string;
      nextUpdate?: string;
      error?: string;
    };
  };
  /** Which TLS versions the server accepts (when the handshake failed on version). */
  'tls.versions': { address: string; port: number; accepted: string[]; rejected: string[]; clientRange: { min: string; max: string } };

  // ── app ────────────────────────────────────────────────────────────
  'http.response': {
    url: string;
    outcome: 'response' | 'timeout' | 'error';
    status: number | null;
    location: string | null;
    date: string | null;
    server: string | null;
    ms: number;
    error?: string;
    /** The body read after the headers (at most 64 KiB): a transfer that stops is `stalled`. */
    body?: { bytes: number; complete: boolean; length?: number; stalled?: boolean; /** Status ≥ 400: the page's first words, printable, ≤ 300 characters. */ text?: string };
  };

  /** Application heartbeat exercised over TCP or TLS (`--heartbeat`). */
  'app.heartbeat': {
    address: string;
    port: number;
    tls: boolean;
    send: string;
    expect: string;
    everySec: number;
    /** Per beat: when it was sent (ms from the start) and the reply time, or null when none came. */
    beats: Array<{ atMs: number; replyMs: number | null }>;
    /** Beats answered / sent. */
    answered: number;
    sent: number;
    /** Observed interval between beats (s). */
    intervalSec: number | null;
    /** The peer closed or reset the connection: after how long without a beat (its idle timeout). */
    peerClosed: { event: 'fin' | 'rst'; afterIdleSec: number; atMs: number } | null;
    error: string | null;
    ms: number;
  };

  // ── meta ───────────────────────────────────────────────────────────
  /** A check that could not be made: missing privilege, a tool absent, an ambiguous answer. */
  'check.unknown': { layer: Layer; check: string; reason: string };
  /** A layer skipped because a lower layer failed or it does not apply. */
  'layer.skip': { layer: Layer; reason: string };
}

/** One hop of a trace: who answered at this TTL and how often, how fast. */
export interface TraceHop {
  ttl: number;
  /** The address that answered most often at this TTL (null: nobody answered). */
  addr: string | null;
  /** Every address that answered at this TTL (several when the path changed during the run). */
  addrs: string[];
  sent: number;
  recv: number;
  lossPct: number;
  rtt: { min: number; avg: number; max: number; stddev: number } | null;
  /** The loss here is the router limiting its own ICMP (later hops are clean, or it answered its burst then ~1/s). */
  rateLimited: boolean;
  /** This hop is the target. */
  target: boolean;
  /** An ICMP error other than time-exceeded sent from this hop (unreachable, prohibited, frag-needed). */
  icmp?: IcmpError;
}

export type TcpOutcome = 'open' | 'refused' | 'filtered' | 'rejected' | 'reset' | 'closed' | 'unreachable' | 'error';

export type ObservationKind = keyof ObservationData;

export type Observation<K extends ObservationKind = ObservationKind> = K extends ObservationKind ? { kind: K; at: string; ms: number; data: ObservationData[K] } : never;

export function observation<K extends ObservationKind>(kind: K, data: ObservationData[K], ms = 0, at = new Date()): Observation<K> {
  return { kind, at: at.toISOString(), ms: Math.round(ms * 10) / 10, data } as Observation<K>;
}

/** All observations of one kind, typed. */
export function ofKind<K extends ObservationKind>(obs: readonly Observation[], kind: K): Array<Observation<K>> {
  return obs.filter((o): o is Observation<K> => o.kind === kind);
}

/** Echoes to `address` (any, when absent) that partly came back: the path carries packets but loses some. */
export function echoLossy(obs: readonly Observation[], address?: string): boolean {
  return ofKind(obs, 'icmp.echo').some((e) => (address === undefined || e.data.address === address) && e.data.received > 0 && e.data.received < e.data.sent);
}
