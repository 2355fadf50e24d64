/**
 * Every lab scenario, sorted by id (explicit, no directory scanning). A test checks the order,
 * the ids, the codes and the pending marks.
 */
import type { Scenario } from '../scenario.js';
import { scenario as s_app_001_heartbeat_unanswered } from './app-001-heartbeat-unanswered.js';
import { scenario as s_app_001_server_idle_timeout } from './app-001-server-idle-timeout.js';
import { scenario as s_app_002_http_503 } from './app-002-http-503.js';
import { scenario as s_app_002_https_503 } from './app-002-https-503.js';
import { scenario as s_dns_001_dns_blocked } from './dns-001-dns-blocked.js';
import { scenario as s_dns_001_hostile_wrong_port } from './dns-001-hostile-wrong-port.js';
import { scenario as s_dns_002_typo_name } from './dns-002-typo-name.js';
import { scenario as s_dns_003_hostile_cname_loop } from './dns-003-hostile-cname-loop.js';
import { scenario as s_dns_003_hostile_garbage } from './dns-003-hostile-garbage.js';
import { scenario as s_dns_003_hostile_ptr_loop } from './dns-003-hostile-ptr-loop.js';
import { scenario as s_dns_003_hostile_tc_garbage } from './dns-003-hostile-tc-garbage.js';
import { scenario as s_dns_003_hostile_wrong_id } from './dns-003-hostile-wrong-id.js';
import { scenario as s_dns_003_refused } from './dns-003-refused.js';
import { scenario as s_dns_003_servfail } from './dns-003-servfail.js';
import { scenario as s_dns_004_hosts_pins_old_server } from './dns-004-hosts-pins-old-server.js';
import { scenario as s_dns_005_poisoned_resolver } from './dns-005-poisoned-resolver.js';
import { scenario as s_dns_006_first_resolver_dead } from './dns-006-first-resolver-dead.js';
import { scenario as s_dns_007_ipv6_path_broken } from './dns-007-ipv6-path-broken.js';
import { scenario as s_host_001_link_down } from './host-001-link-down.js';
import { scenario as s_host_002_no_ipv4_address } from './host-002-no-ipv4-address.js';
import { scenario as s_host_003_clock_behind } from './host-003-clock-behind.js';
import { scenario as s_host_004_dead_proxy } from './host-004-dead-proxy.js';
import { scenario as s_net_001_no_default_route } from './net-001-no-default-route.js';
import { scenario as s_net_002_ipv4_gateway_typo } from './net-002-ipv4-gateway-typo.js';
import { scenario as s_net_002_wrong_gateway } from './net-002-wrong-gateway.js';
import { scenario as s_net_003_ecmp_branch_drops } from './net-003-ecmp-branch-drops.js';
import { scenario as s_net_003_ecmp_member_silent } from './net-003-ecmp-member-silent.js';
import { scenario as s_net_003_nat_off } from './net-003-nat-off.js';
import { scenario as s_net_004_host_route_second_isp } from './net-004-host-route-second-isp.js';
import { scenario as s_net_004_lower_metric_default_second_isp } from './net-004-lower-metric-default-second-isp.js';
import { scenario as s_net_004_more_specific_route } from './net-004-more-specific-route.js';
import { scenario as s_net_004_policy_rule_second_isp } from './net-004-policy-rule-second-isp.js';
import { scenario as s_net_005_icmp_blocked_service_up } from './net-005-icmp-blocked-service-up.js';
import { scenario as s_net_006_firewall_blocks_wireguard } from './net-006-firewall-blocks-wireguard.js';
import { scenario as s_net_006_local_firewall_drop } from './net-006-local-firewall-drop.js';
import { scenario as s_net_006_local_firewall_reject } from './net-006-local-firewall-reject.js';
import { scenario as s_net_007_lossy_core } from './net-007-lossy-core.js';
import { scenario as s_net_008_slow_core_link } from './net-008-slow-core-link.js';
import { scenario as s_net_009_bulk_download_stalls } from './net-009-bulk-download-stalls.js';
import { scenario as s_net_009_pmtu_blackhole } from './net-009-pmtu-blackhole.js';
import { scenario as s_net_009_upload_blackhole_handshake_fits } from './net-009-upload-blackhole-handshake-fits.js';
import { scenario as s_net_010_core_unreachable } from './net-010-core-unreachable.js';
import { scenario as s_net_011_nat_seen_by_responder } from './net-011-nat-seen-by-responder.js';
import { scenario as s_net_012_router_clamps_mss } from './net-012-router-clamps-mss.js';
import { scenario as s_net_013_return_path_drops } from './net-013-return-path-drops.js';
import { scenario as s_net_014_return_path_mtu_blackhole } from './net-014-return-path-mtu-blackhole.js';
import { scenario as s_ok_ecmp_both_branches } from './ok-ecmp-both-branches.js';
import { scenario as s_ok_heartbeat_answered } from './ok-heartbeat-answered.js';
import { scenario as s_ok_http_www } from './ok-http-www.js';
import { scenario as s_ok_https_www } from './ok-https-www.js';
import { scenario as s_ok_icmp_www } from './ok-icmp-www.js';
import { scenario as s_ok_idn_name } from './ok-idn-name.js';
import { scenario as s_ok_ipv6_literal } from './ok-ipv6-literal.js';
import { scenario as s_ok_load_www_healthy } from './ok-load-www-healthy.js';
import { scenario as s_ok_mtls_with_client_cert } from './ok-mtls-with-client-cert.js';
import { scenario as s_ok_tcp_heartbeat } from './ok-tcp-heartbeat.js';
import { scenario as s_ok_tls_www } from './ok-tls-www.js';
import { scenario as s_ok_vpn_openvpn } from './ok-vpn-openvpn.js';
import { scenario as s_ok_vpn_wireguard } from './ok-vpn-wireguard.js';
import { scenario as s_ok_vpn_wireguard_full_tunnel } from './ok-vpn-wireguard-full-tunnel.js';
import { scenario as s_seed_beijing_fine } from './seed-beijing-fine.js';
import { scenario as s_seed_shanghai_misrouted } from './seed-shanghai-misrouted.js';
import { scenario as s_seed_shanghai_router_misrouted } from './seed-shanghai-router-misrouted.js';
import { scenario as s_seed_vpn_beijing_fine } from './seed-vpn-beijing-fine.js';
import { scenario as s_seed_vpn_shanghai_misrouted } from './seed-vpn-shanghai-misrouted.js';
import { scenario as s_tcp_001_web_server_stopped } from './tcp-001-web-server-stopped.js';
import { scenario as s_tcp_002_server_firewall_drops } from './tcp-002-server-firewall-drops.js';
import { scenario as s_tcp_003_core_rejects } from './tcp-003-core-rejects.js';
import { scenario as s_tcp_003_server_rejects } from './tcp-003-server-rejects.js';
import { scenario as s_tcp_004_fin_after_client_hello } from './tcp-004-fin-after-client-hello.js';
import { scenario as s_tcp_004_reset_after_accept } from './tcp-004-reset-after-accept.js';
import { scenario as s_tcp_004_reset_after_client_hello } from './tcp-004-reset-after-client-hello.js';
import { scenario as s_tcp_005_accept_queue_full } from './tcp-005-accept-queue-full.js';
import { scenario as s_tcp_005_server_stopped_accepting } from './tcp-005-server-stopped-accepting.js';
import { scenario as s_tcp_005_stopped_accepting_no_test } from './tcp-005-stopped-accepting-no-test.js';
import { scenario as s_tcp_005_load_burst_overflows_backlog } from './tcp-005-load-burst-overflows-backlog.js';
import { scenario as s_tcp_006_nat_forgets_idle } from './tcp-006-nat-forgets-idle.js';
import { scenario as s_tls_001_expired } from './tls-001-expired.js';
import { scenario as s_tls_002_not_yet_valid } from './tls-002-not-yet-valid.js';
import { scenario as s_tls_003_wrong_name } from './tls-003-wrong-name.js';
import { scenario as s_tls_004_private_root_leaf } from './tls-004-private-root-leaf.js';
import { scenario as s_tls_004_self_signed } from './tls-004-self-signed.js';
import { scenario as s_tls_004_unknown_ca } from './tls-004-unknown-ca.js';
import { scenario as s_tls_005_missing_intermediate } from './tls-005-missing-intermediate.js';
import { scenario as s_tls_005_wrong_name_missing_chain } from './tls-005-wrong-name-missing-chain.js';
import { scenario as s_tls_006_server_tls10_only } from './tls-006-server-tls10-only.js';
import { scenario as s_tls_006_server_tls13_only } from './tls-006-server-tls13-only.js';
import { scenario as s_tls_006_small_dh_params } from './tls-006-small-dh-params.js';
import { scenario as s_tls_007_client_cert_required } from './tls-007-client-cert-required.js';
import { scenario as s_tls_007_nginx_mtls_https } from './tls-007-nginx-mtls-https.js';
import { scenario as s_tls_007_nginx_mtls_tls_only } from './tls-007-nginx-mtls-tls-only.js';
import { scenario as s_tls_008_expiring_soon } from './tls-008-expiring-soon.js';
import { scenario as s_tls_009_handshake_stall } from './tls-009-handshake-stall.js';
import { scenario as s_tls_010_garbage_after_client_hello } from './tls-010-garbage-after-client-hello.js';
import { scenario as s_tls_010_plain_http_port } from './tls-010-plain-http-port.js';
import { scenario as s_tls_011_intercepted } from './tls-011-intercepted.js';
import { scenario as s_tls_012_revoked_stapled } from './tls-012-revoked-stapled.js';
import { scenario as s_unknown_http_garbage_answer } from './unknown-http-garbage-answer.js';
import { scenario as s_unknown_http_never_answers } from './unknown-http-never-answers.js';
import { scenario as s_unknown_https_garbage_answer } from './unknown-https-garbage-answer.js';
import { scenario as s_unknown_https_never_answers } from './unknown-https-never-answers.js';
import { scenario as s_unknown_tls_300k_certificate } from './unknown-tls-300k-certificate.js';
import { scenario as s_unknown_tls_endless_records } from './unknown-tls-endless-records.js';
import { scenario as s_unknown_tls_unexpected_message } from './unknown-tls-unexpected-message.js';
import { scenario as s_vpn_001_wireguard_down } from './vpn-001-wireguard-down.js';
import { scenario as s_vpn_002_endpoint_name_gone } from './vpn-002-endpoint-name-gone.js';
import { scenario as s_vpn_003_openvpn_cert_rejected } from './vpn-003-openvpn-cert-rejected.js';
import { scenario as s_vpn_003_server_forgot_key } from './vpn-003-server-forgot-key.js';
import { scenario as s_vpn_004_office_lan_overlaps } from './vpn-004-office-lan-overlaps.js';
import { scenario as s_vpn_005_route_missing } from './vpn-005-route-missing.js';
import { scenario as s_vpn_006_tunnel_mtu_blackhole } from './vpn-006-tunnel-mtu-blackhole.js';
import { scenario as s_vpn_007_branch_nat_forgets } from './vpn-007-branch-nat-forgets.js';
import { scenario as s_vpn_008_peer_not_allowed } from './vpn-008-peer-not-allowed.js';

export const SCENARIOS: readonly Scenario[] = [
  s_app_001_heartbeat_unanswered,
  s_app_001_server_idle_timeout,
  s_app_002_http_503,
  s_app_002_https_503,
  s_dns_001_dns_blocked,
  s_dns_001_hostile_wrong_port,
  s_dns_002_typo_name,
  s_dns_003_hostile_cname_loop,
  s_dns_003_hostile_garbage,
  s_dns_003_hostile_ptr_loop,
  s_dns_003_hostile_tc_garbage,
  s_dns_003_hostile_wrong_id,
  s_dns_003_refused,
  s_dns_003_servfail,
  s_dns_004_hosts_pins_old_server,
  s_dns_005_poisoned_resolver,
  s_dns_006_first_resolver_dead,
  s_dns_007_ipv6_path_broken,
  s_host_001_link_down,
  s_host_002_no_ipv4_address,
  s_host_003_clock_behind,
  s_host_004_dead_proxy,
  s_net_001_no_default_route,
  s_net_002_ipv4_gateway_typo,
  s_net_002_wrong_gateway,
  s_net_003_ecmp_branch_drops,
  s_net_003_ecmp_member_silent,
  s_net_003_nat_off,
  s_net_004_host_route_second_isp,
  s_net_004_lower_metric_default_second_isp,
  s_net_004_more_specific_route,
  s_net_004_policy_rule_second_isp,
  s_net_005_icmp_blocked_service_up,
  s_net_006_firewall_blocks_wireguard,
  s_net_006_local_firewall_drop,
  s_net_006_local_firewall_reject,
  s_net_007_lossy_core,
  s_net_008_slow_core_link,
  s_net_009_bulk_download_stalls,
  s_net_009_pmtu_blackhole,
  s_net_009_upload_blackhole_handshake_fits,
  s_net_010_core_unreachable,
  s_net_011_nat_seen_by_responder,
  s_net_012_router_clamps_mss,
  s_net_013_return_path_drops,
  s_net_014_return_path_mtu_blackhole,
  s_ok_ecmp_both_branches,
  s_ok_heartbeat_answered,
  s_ok_http_www,
  s_ok_https_www,
  s_ok_icmp_www,
  s_ok_idn_name,
  s_ok_ipv6_literal,
  s_ok_load_www_healthy,
  s_ok_mtls_with_client_cert,
  s_ok_tcp_heartbeat,
  s_ok_tls_www,
  s_ok_vpn_openvpn,
  s_ok_vpn_wireguard,
  s_ok_vpn_wireguard_full_tunnel,
  s_seed_beijing_fine,
  s_seed_shanghai_misrouted,
  s_seed_shanghai_router_misrouted,
  s_seed_vpn_beijing_fine,
  s_seed_vpn_shanghai_misrouted,
  s_tcp_001_web_server_stopped,
  s_tcp_002_server_firewall_drops,
  s_tcp_003_core_rejects,
  s_tcp_003_server_rejects,
  s_tcp_004_fin_after_client_hello,
  s_tcp_004_reset_after_accept,
  s_tcp_004_reset_after_client_hello,
  s_tcp_005_accept_queue_full,
  s_tcp_005_load_burst_overflows_backlog,
  s_tcp_005_server_stopped_accepting,
  s_tcp_005_stopped_accepting_no_test,
  s_tcp_006_nat_forgets_idle,
  s_tls_001_expired,
  s_tls_002_not_yet_valid,
  s_tls_003_wrong_name,
  s_tls_004_private_root_leaf,
  s_tls_004_self_signed,
  s_tls_004_unknown_ca,
  s_tls_005_missing_intermediate,
  s_tls_005_wrong_name_missing_chain,
  s_tls_006_server_tls10_only,
  s_tls_006_server_tls13_only,
  s_tls_006_small_dh_params,
  s_tls_007_client_cert_required,
  s_tls_007_nginx_mtls_https,
  s_tls_007_nginx_mtls_tls_only,
  s_tls_008_expiring_soon,
  s_tls_009_handshake_stall,
  s_tls_010_garbage_after_client_hello,
  s_tls_010_plain_http_port,
  s_tls_011_intercepted,
  s_tls_012_revoked_stapled,
  s_unknown_http_garbage_answer,
  s_unknown_http_never_answers,
  s_unknown_https_garbage_answer,
  s_unknown_https_never_answers,
  s_unknown_tls_300k_certificate,
  s_unknown_tls_endless_records,
  s_unknown_tls_unexpected_message,
  s_vpn_001_wireguard_down,
  s_vpn_002_endpoint_name_gone,
  s_vpn_003_openvpn_cert_rejected,
  s_vpn_003_server_forgot_key,
  s_vpn_004_office_lan_overlaps,
  s_vpn_005_route_missing,
  s_vpn_006_tunnel_mtu_blackhole,
  s_vpn_007_branch_nat_forgets,
  s_vpn_008_peer_not_allowed,
];
