import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'HOST-002',
  slug: 'no-address',
  layer: 'host',
  severity: 'error',
  title: { en: 'The egress interface {dev} has no IPv{family} address', zh: '出口网卡 {dev} 没有 IPv{family} 地址（网卡无地址）' },
  explanation: {
    en: 'The route to {dst} leaves through {dev}, but {dev} has no usable IPv{family} address (only link-local ones, or none), so packets cannot carry a source address the network will answer. Usually DHCP (or SLAAC for IPv6) did not complete.',
    zh: '到 {dst} 的路由经由 {dev} 发出，但 {dev} 上没有可用的 IPv{family} 地址（只有链路本地地址或完全没有），报文没有网络会回应的源地址。通常是 DHCP（IPv6 为 SLAAC）没有成功。',
  },
  evidence: { en: 'The kernel route lookup (egress interface) and the addresses of that interface (`ip -j addr`).', zh: '内核路由查询得到的出口网卡，以及该网卡的地址（`ip -j addr`）。' },
  fix: [
    {
      summary: {
        en: 'Renew the DHCP lease on {dev} (where NetworkManager or systemd-networkd manage it: `nmcli device reapply {dev}` or `networkctl renew {dev}`)',
        zh: '在 {dev} 上重新获取 DHCP 租约（若由 NetworkManager 或 systemd-networkd 管理：`nmcli device reapply {dev}` 或 `networkctl renew {dev}`）',
      },
      command: 'dhclient -{family} -v {dev}',
    },
    {
      summary: {
        en: 'Or give {dev} a static IPv{family} address of its subnet (`ip addr add ADDRESS/PREFIX dev {dev}`) and make it permanent in the network configuration',
        zh: '或者为 {dev} 配置所在网段的静态 IPv{family} 地址（`ip addr add 地址/前缀 dev {dev}`），并写入网络配置使其永久生效',
      },
    },
  ],
  explains: [
    'HOST-004',
    'DNS-001',
    'DNS-003',
    'DNS-006',
    'DNS-007',
    'NET-001',
    'NET-002',
    'NET-003',
    'NET-005',
    'NET-007',
    'NET-008',
    'NET-010',
    'VPN-002',
    'VPN-003',
    'TCP-002',
    'TCP-003',
    'TLS-009',
    'APP-001',
    'APP-002',
  ],
};

/** An interface's addresses as params: 'address/prefixlen' and, index for index, its scope. */
type AddressParams = { addresses: string[]; scopes: string[] };
const addressParams = (addresses: ReadonlyArray<{ address: string; prefixlen: number; scope: string }>): AddressParams => ({
  addresses: addresses.map((a) => `${a.address}/${a.prefixlen}`),
  scopes: addresses.map((a) => a.scope),
});
/** The addresses with their scope ('none' when there is none). */
const addressListEn = (p: AddressParams): string => (p.addresses.length === 0 ? 'none' : p.addresses.map((a, i) => `${a} (${p.scopes[i]})`).join(', '));
const addressListZh = (p: AddressParams): string => (p.addresses.length === 0 ? '无' : p.addresses.map((a, i) => `${a}（${p.scopes[i]}）`).join('、'));

const M = defineMessages('HOST-002', {
  routeGet: msg(
    (p: { dst: string; dev: string; gateway: string | null }) => `ip route get ${p.dst}: dev ${p.dev}${p.gateway ? ` via ${p.gateway}` : ''}`,
    (p) => `ip route get ${p.dst}：出口网卡 ${p.dev}${p.gateway ? `，网关 ${p.gateway}` : ''}`,
  ),
  devAddresses: msg(
    (p: AddressParams & { dev: string }) => `${p.dev} addresses: ${addressListEn(p)}`,
    (p) => `${p.dev} 的地址：${addressListZh(p)}`,
  ),
  noRoute: msg(
    (p: { dst: string; error: string | null }) => `ip route get ${p.dst}: ${p.error ?? 'no route'}`,
    (p) => `ip route get ${p.dst}：${p.error ? `"${p.error}"` : '无路由'}`,
  ),
  noneHasAddress: msg(
    (p: AddressParams & { family: number; dev: string }) => `no interface that is up has an IPv${p.family} address; ${p.dev}: ${addressListEn(p)}`,
    (p) => `没有任何已启用的网卡有 IPv${p.family} 地址；${p.dev}：${addressListZh(p)}`,
  ),
});

/** Addresses a packet to `dst` can use as source: global (or site) scope; link-local only for a link-local target. */
function usable(a: { address: string; scope: string }, dstLinkLocal: boolean): boolean {
  if (dstLinkLocal) return true;
  return a.scope !== 'link' && a.scope !== 'host' && !/^fe80:/i.test(a.address) && !a.address.startsWith('169.254.');
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const linksObs = ofKind(ctx.observations, 'host.links')[0];
    if (!linksObs) return null;
    for (const r of ofKind(ctx.observations, 'route.lookup')) {
      const d = r.data;
      if (d.outcome !== 'route' || !d.dev) continue;
      const l = linksObs.data.links.find((x) => x.name === d.dev);
      if (!l || l.loopback) continue;
      const dstLinkLocal = /^fe80:/i.test(d.destination) || d.destination.startsWith('169.254.');
      const ofFamily = l.addresses.filter((a) => a.family === d.family);
      if (ofFamily.some((a) => usable(a, dstLinkLocal))) continue;
      return makeFinding(meta, ctx, {
        vars: { dev: d.dev, family: d.family, dst: d.destination },
        evidence: [
          evidence('route.lookup', M.routeGet({ dst: d.destination, dev: d.dev, gateway: d.gateway }), { destination: d.destination, dev: d.dev, gateway: d.gateway }),
          evidence('host.links', M.devAddresses({ dev: d.dev, ...addressParams(l.addresses) }), { name: l.name, addresses: l.addresses }),
        ],
      });
    }
    // No route at all for a family that no up interface has an address of: the missing address
    // (no DHCP lease, no static address) is the cause, and it explains the missing route (NET-001).
    for (const r of ofKind(ctx.observations, 'route.lookup')) {
      const d = r.data;
      if (d.outcome !== 'no-route') continue;
      const up = linksObs.data.links.filter((l) => !l.loopback && l.up && l.carrier !== false);
      if (up.length === 0) continue; // HOST-001's case
      if (up.some((l) => l.addresses.some((a) => a.family === d.family && usable(a, false)))) continue;
      const l = up[0]!;
      return makeFinding(meta, ctx, {
        vars: { dev: l.name, family: d.family, dst: d.destination },
        evidence: [
          evidence('route.lookup', M.noRoute({ dst: d.destination, error: d.error ?? null }), {
            destination: d.destination,
            outcome: d.outcome,
          }),
          evidence('host.links', M.noneHasAddress({ family: d.family, dev: l.name, ...addressParams(l.addresses) }), {
            name: l.name,
            addresses: l.addresses,
          }),
        ],
      });
    }
    return null;
  },
};
