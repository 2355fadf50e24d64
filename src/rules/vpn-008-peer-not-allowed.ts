import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, registerMetaMessages, metaText } from './types.js';
import { allowedOf, stateEvidence, targetAddresses, targetRoute, tunnels } from './vpn-common.js';
import { canonicalIp, sameIp } from './helpers.js';
import type { Lang } from '../model/layer.js';

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

type Case = { dst: string; dev: string; reason: string | null };

/** How the interface drops the packets, in a language (the meta's {sendError}): the send error as it came, or silently. */
const sendError = (lang: Lang, reason: string | null): string => (lang === 'zh' ? (reason ? `"${reason}"` : '被静默丢弃') : (reason ?? 'dropped without an error'));
const words = (lang: Lang, p: Case): Record<string, string> => ({ dst: p.dst, dev: p.dev, sendError: sendError(lang, p.reason) });

/** The allowed IPs of the peers shown: the first 8 characters of each key ('' none), and the flat list split by the counts. */
type Allowed = { dev: string; dst: string; keys: string[]; peerAllowedCount: number[]; peerAllowed: string[]; peerCount: number };

function allowedText(lang: Lang, p: Allowed): string {
  const zh = lang === 'zh';
  const lists = allowedOf(p);
  const peers = p.keys.map((k, i) => (zh ? `${k || '对端'}…：${lists[i]!.join('、') || '（无）'}` : `${k || 'peer'}…: ${lists[i]!.join(', ') || '(none)'}`));
  const shown = p.keys.length;
  if (zh) return `${p.dev} 的 AllowedIPs：${shown === 0 ? '无对端' : peers.join('；')}${p.peerCount > shown ? `（共 ${p.peerCount} 个对端，显示 ${shown} 个）` : ''}；都不包含 ${p.dst}`;
  return `allowed IPs of ${p.dev}: ${shown === 0 ? 'no peers' : peers.join('; ')}${p.peerCount > shown ? ` (${p.peerCount} peers, ${shown} shown)` : ''}: none contains ${p.dst}`;
}

const M = defineMessages('VPN-008', {
  dropped: metaText(meta.explanation, words),
  route: msg(
    (p: { dst: string; route: string | null; dev: string | null }) => `ip route get ${p.dst}: ${p.route ?? `dev ${p.dev}`}`,
    (p) => `ip route get ${p.dst}：\`${p.route ?? `dev ${p.dev}`}\``,
  ),
  allowed: msg(
    (p: Allowed) => allowedText('en', p),
    (p) => allowedText('zh', p),
  ),
  addPeer: msg(
    (p: { dst: string; dev: string }) => `Add a peer for ${p.dst} to ${p.dev}`,
    (p) => `为 ${p.dst} 在 ${p.dev} 上添加对端`,
  ),
});

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
      const host = `${canonicalIp(dst)}/${dst.includes(':') ? 128 : 32}`;
      const peer = s.peers[0];
      const allowedIps = peer ? [...peer.allowedIps, host].join(',') : host;
      return makeFinding(meta, ctx, {
        vars: { dst, dev: s.dev, peer: peer?.publicKey ?? '', allowedIps },
        explanation: M.dropped({ dst, dev: s.dev, reason }),
        evidence: [
          stateEvidence(s),
          evidence('route.lookup', M.route({ dst, route: route.route, dev: route.dev }), {
            destination: dst,
            dev: route.dev,
            route: route.route,
          }),
          evidence(
            'tunnel.state',
            M.allowed({
              dev: s.dev,
              dst,
              keys: s.peers.map((p) => p.publicKey?.slice(0, 8) ?? ''),
              peerAllowedCount: s.peers.map((p) => p.allowedIps.length),
              peerAllowed: s.peers.flatMap((p) => p.allowedIps),
              peerCount: s.peerCount,
            }),
            { peers: s.peers.map((p) => ({ publicKey: p.publicKey, allowedIps: p.allowedIps })) },
          ),
        ],
        fix: peer?.publicKey
          ? // The meta's fix by its own id.
            [
              {
                summary: { id: registerMetaMessages(meta).fix[0]!, params: { dev: s.dev, peer: peer.publicKey, allowedIps } },
                command: `wg set ${s.dev} peer ${peer.publicKey} allowed-ips ${allowedIps}`,
              },
            ]
          : [{ summary: M.addPeer({ dst, dev: s.dev }) }],
      });
    }
    return null;
  },
};
