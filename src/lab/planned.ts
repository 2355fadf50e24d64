/**
 * Fault codes of the catalog that have no lab scenario yet, and why. A test checks that every
 * code of the catalog has a scenario (as expected primary or as an expected warning) or an
 * entry here, and that no entry here has a scenario.
 */
export interface Planned {
  code: string;
  issue: number;
  why: string;
}

const VPN_WHY = 'needs the tunnel topology (wireguard-go / OpenVPN over TUN in the namespaces) that issue 7 brings';

export const PLANNED: readonly Planned[] = [
  { code: 'NET-008', issue: 5, why: 'latency needs a delaying relay (the kernel has no tc netem); not built yet' },
  ...(['VPN-001', 'VPN-002', 'VPN-003', 'VPN-004', 'VPN-005', 'VPN-006', 'VPN-007', 'VPN-008'] as const).map((code) => ({ code, issue: 7, why: VPN_WHY })),
];
