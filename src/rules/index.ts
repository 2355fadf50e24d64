/**
 * Every rule, in catalog order (explicit, no directory scanning). A test checks that this list
 * holds the codes of ../shared/faults.md (plus codes the project added after each family, e.g.
 * TLS-012) and that every rule has its own test.
 */
import { registerMetaMessages } from './types.js';
import type { Rule } from './types.js';
import { rule as HOST_001 } from './host-001-no-usable-interface.js';
import { rule as HOST_002 } from './host-002-no-address.js';
import { rule as HOST_003 } from './host-003-clock-skew.js';
import { rule as HOST_004 } from './host-004-proxy-misconfigured.js';
import { rule as DNS_001 } from './dns-001-resolver-unreachable.js';
import { rule as DNS_002 } from './dns-002-nxdomain.js';
import { rule as DNS_003 } from './dns-003-resolver-error.js';
import { rule as DNS_004 } from './dns-004-hosts-override.js';
import { rule as DNS_005 } from './dns-005-answer-mismatch.js';
import { rule as DNS_006 } from './dns-006-slow-resolver.js';
import { rule as DNS_007 } from './dns-007-ipv6-path-broken.js';
import { rule as NET_001 } from './net-001-no-route.js';
import { rule as NET_002 } from './net-002-gateway-unreachable.js';
import { rule as NET_003 } from './net-003-path-blackhole.js';
import { rule as NET_004 } from './net-004-route-conflict.js';
import { rule as NET_005 } from './net-005-icmp-filtered.js';
import { rule as NET_006 } from './net-006-local-firewall-block.js';
import { rule as NET_007 } from './net-007-packet-loss.js';
import { rule as NET_008 } from './net-008-high-latency.js';
import { rule as NET_009 } from './net-009-pmtu-blackhole.js';
import { rule as NET_010 } from './net-010-unreachable-reported.js';
import { rule as NET_011 } from './net-011-nat-rewrite.js';
import { rule as NET_012 } from './net-012-mss-clamped.js';
import { rule as NET_013 } from './net-013-one-way-loss.js';
import { rule as NET_014 } from './net-014-return-path-mtu.js';
import { rule as VPN_001 } from './vpn-001-tunnel-down.js';
import { rule as VPN_002 } from './vpn-002-endpoint-unreachable.js';
import { rule as VPN_003 } from './vpn-003-handshake-failed.js';
import { rule as VPN_004 } from './vpn-004-subnet-overlap.js';
import { rule as VPN_005 } from './vpn-005-route-not-via-tunnel.js';
import { rule as VPN_006 } from './vpn-006-tunnel-mtu.js';
import { rule as VPN_007 } from './vpn-007-nat-keepalive.js';
import { rule as VPN_008 } from './vpn-008-peer-not-allowed.js';
import { rule as TCP_001 } from './tcp-001-port-closed.js';
import { rule as TCP_002 } from './tcp-002-port-filtered.js';
import { rule as TCP_003 } from './tcp-003-port-rejected.js';
import { rule as TCP_004 } from './tcp-004-reset-after-connect.js';
import { rule as TCP_005 } from './tcp-005-accept-backlog.js';
import { rule as TCP_006 } from './tcp-006-idle-timeout.js';
import { rule as TLS_001 } from './tls-001-cert-expired.js';
import { rule as TLS_002 } from './tls-002-cert-not-yet-valid.js';
import { rule as TLS_003 } from './tls-003-hostname-mismatch.js';
import { rule as TLS_004 } from './tls-004-untrusted-issuer.js';
import { rule as TLS_005 } from './tls-005-incomplete-chain.js';
import { rule as TLS_006 } from './tls-006-protocol-mismatch.js';
import { rule as TLS_007 } from './tls-007-client-cert-required.js';
import { rule as TLS_008 } from './tls-008-cert-expiring-soon.js';
import { rule as TLS_009 } from './tls-009-handshake-stall.js';
import { rule as TLS_010 } from './tls-010-not-tls.js';
import { rule as TLS_011 } from './tls-011-unexpected-certificate.js';
import { rule as TLS_012 } from './tls-012-cert-revoked.js';
import { rule as APP_001 } from './app-001-heartbeat-lost.js';
import { rule as APP_002 } from './app-002-http-error.js';

export const RULES: readonly Rule[] = [
  HOST_001,
  HOST_002,
  HOST_003,
  HOST_004,
  DNS_001,
  DNS_002,
  DNS_003,
  DNS_004,
  DNS_005,
  DNS_006,
  DNS_007,
  NET_001,
  NET_002,
  NET_003,
  NET_004,
  NET_005,
  NET_006,
  NET_007,
  NET_008,
  NET_009,
  NET_010,
  NET_011,
  NET_012,
  NET_013,
  NET_014,
  VPN_001,
  VPN_002,
  VPN_003,
  VPN_004,
  VPN_005,
  VPN_006,
  VPN_007,
  VPN_008,
  TCP_001,
  TCP_002,
  TCP_003,
  TCP_004,
  TCP_005,
  TCP_006,
  TLS_001,
  TLS_002,
  TLS_003,
  TLS_004,
  TLS_005,
  TLS_006,
  TLS_007,
  TLS_008,
  TLS_009,
  TLS_010,
  TLS_011,
  TLS_012,
  APP_001,
  APP_002,
];

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.code, r]));

// The metas' templates join the message catalog at load, so any renderer in the process can render a finding's title, explanation and fixes by id.
for (const r of RULES) registerMetaMessages(r.meta);
