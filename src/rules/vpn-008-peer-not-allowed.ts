import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { stateEvidence, targetAddresses, targetRoute, tunnels } from './vpn-common.js';
import { canonicalIp, sameIp, tr } from './helpers.js';

export const meta: RuleMeta = {
  code: 'VPN-008',
  slug: 'peer-not-allowed',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'The route sends {dst} into {dev}, but no peer of {dev} allows it', zh: '对端未放行该网段：路由把 {dst} 送入 {dev}，但 {dev} 没有任何对端允许该地址' },
  explanation: {
    en: 'The kernel routes {dst} into the tunnel {dev}, but the tunnel’s own configuration has no peer for that address (WireGuard AllowedIPs, OpenVPN iroute), so the interface drops the packets ({sendError}).',
    zh: '内核把 {dst} 路由进隧道 {dev}，但隧道自身的配置中没有对应该地址的对端（WireGuard 的 AllowedIPs、OpenVPN 的 iroute），网卡直接丢弃报文（{sendError}）。',
  },
  evidence: { en: 'The allowed IPs per peer and the send error.', zh: '每个对端的 AllowedIPs 以及发送错误。' },
  fix: [
    {
      summary: {
        en: 'Add the target’s network to the peer’s allowed IPs (the list replaces the old one, so it repeats the existing entries)',
        zh: '把目标网段加入该对端的 AllowedIPs（该命令会替换原列表，因此包含原有条目）',
      },
      command: 'wg set {dev} peer {peer} allowed-ips {allowedIps}',
    },
  ],
  explains: ['DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

/** WireGuard: the route sends the target into the interface, but no peer's AllowedIPs contain it. */
export const rule: Rule = {
  meta,
  check(ctx) {
    const dst = targetAddresses(ctx)[0];
    const route = targetRoute(ctx);
    if (!dst || !route || route.outcome !== 'route') return null;
    for (const { data: s } of tunnels(ctx)) {
      if (s.kind !== 'wireguard' || s.source !== 'running' || !s.present || s.up === false) continue;
      if (route.dev !== s.dev || s.carrier !== null) continue;
      const echo = ofKind(ctx.observations, 'icmp.echo').find((e) => sameIp(e.data.address, dst));
      const reason = echo?.data.reason && /key not available|ENOKEY/i.test(echo.data.reason) ? echo.data.reason : null;
      const sendError = reason ? tr(ctx.lang, reason, `"${reason}"`) : tr(ctx.lang, 'dropped without an error', '被静默丢弃');
      const host = `${canonicalIp(dst)}/${dst.includes(':') ? 128 : 32}`;
      const peer = s.peers[0];
      const allowedIps = peer ? [...peer.allowedIps, host].join(',') : host;
      return makeFinding(meta, ctx, {
        vars: { dst, dev: s.dev, sendError, peer: peer?.publicKey ?? '', allowedIps },
        evidence: [
          stateEvidence(s),
          evidence('route.lookup', tr(ctx.lang, `ip route get ${dst}: ${route.route ?? `dev ${route.dev}`}`, `ip route get ${dst}：\`${route.route ?? `dev ${route.dev}`}\``), {
            destination: dst,
            dev: route.dev,
            route: route.route,
          }),
          evidence(
            'tunnel.state',
            tr(
              ctx.lang,
              `allowed IPs of ${s.dev}: ${s.peers.length === 0 ? 'no peers' : s.peers.map((p) => `${p.publicKey?.slice(0, 8) ?? 'peer'}…: ${p.allowedIps.join(', ') || '(none)'}`).join('; ')}${s.peerCount > s.peers.length ? ` (${s.peerCount} peers, ${s.peers.length} shown)` : ''}: none contains ${dst}`,
              `${s.dev} 的 AllowedIPs：${s.peers.length === 0 ? '无对端' : s.peers.map((p) => `${p.publicKey?.slice(0, 8) ?? '对端'}…：${p.allowedIps.join(', ') || '（无）'}`).join('；')}${s.peerCount > s.peers.length ? `（共 ${s.peerCount} 个对端，显示 ${s.peers.length} 个）` : ''}；都不包含 ${dst}`,
            ),
            { peers: s.peers.map((p) => ({ publicKey: p.publicKey, allowedIps: p.allowedIps })) },
          ),
        ],
        fix: peer?.publicKey
          ? [{ summary: meta.fix[0]!.summary[ctx.lang], command: `wg set ${s.dev} peer ${peer.publicKey} allowed-ips ${allowedIps}` }]
          : [{ summary: tr(ctx.lang, `Add a peer for ${dst} to ${s.dev}`, `为 ${dst} 在 ${s.dev} 上添加对端`) }],
      });
    }
    return null;
  },
};
