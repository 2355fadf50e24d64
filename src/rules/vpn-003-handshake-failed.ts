import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';
import type { Fix } from '../model/report.js';
import { ago, endpointViews, handshakeOf, stateEvidence, tunnels } from './vpn-common.js';
import { tr } from './helpers.js';
import type { Lang } from '../model/layer.js';
import type { ObservationData } from '../model/observation.js';

export const meta: RuleMeta = {
  code: 'VPN-003',
  slug: 'handshake-failed',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'No tunnel handshake with {endpoint} completes (last: {lastHandshake})', zh: '隧道握手失败：与 {endpoint} 的握手始终无法完成（最近一次：{lastHandshake}）' },
  explanation: {
    en: 'The endpoint host {endpoint} is reachable, packets go out through {dev} (tx {tx} bytes) but nothing comes back (rx {rx} bytes): UDP to the endpoint port is filtered on the path, or the server rejects the keys/credentials.',
    zh: '端点主机 {endpoint} 可达，报文经 {dev} 发出（发送 {tx} 字节）却没有任何回应（接收 {rx} 字节）：路径上过滤了发往端点端口的 UDP，或者服务器拒绝了密钥/凭据。',
  },
  evidence: { en: 'Latest handshake age, tx/rx counters per peer, and the underlay result for the endpoint.', zh: '最近一次握手距今时间、每个对端的收发计数，以及端点的底层网络结果。' },
  fix: [
    {
      summary: {
        en: 'First check that UDP to {endpoint} is not filtered on the path (ask the network operator or test from another network)',
        zh: '首先确认路径上没有过滤发往 {endpoint} 的 UDP（联系网络管理方，或从其他网络测试）',
      },
    },
    {
      summary: {
        en: 'Then check the keys: this peer’s public key must be configured on the server, and the server’s key here',
        zh: '然后检查密钥：服务器上必须配置本端公钥，本端必须配置服务器的公钥',
      },
      command: 'wg show {dev}',
    },
  ],
  explains: ['DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

/**
 * Packets go into the tunnel, no handshake comes back. WireGuard: initiations went out while
 * netdx watched (tx grew) and no handshake completed. OpenVPN: its state is not CONNECTED.
 * When the endpoint is unreachable too, VPN-002 (or the underlay finding) explains this one.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { data: s } of tunnels(ctx)) {
      const h = handshakeOf(ctx, s.dev);
      if (!h || (h.outcome !== 'no-response' && h.outcome !== 'stalled')) continue;
      const views = endpointViews(ctx, s.dev);
      // An endpoint name that does not resolve: nothing was ever sent (VPN-002 says why).
      if (views.length > 0 && views.every((x) => x.ep.address === null)) continue;
      const v = views.find((x) => x.answered) ?? views[0];
      const endpoint = v?.label ?? h.endpoint ?? s.dev;
      const peer = s.peers.find((p) => (p.publicKey ?? p.name) === h.peer) ?? s.peers[0];
      const ovpnState = s.openvpn?.state ? `${s.openvpn.state}${s.openvpn.detail ? `, ${s.openvpn.detail}` : ''}` : null;
      const lastHandshake =
        s.kind === 'openvpn'
          ? tr(ctx.lang, `not connected${ovpnState ? ` (${ovpnState})` : ''}`, `未连接${ovpnState ? `（${ovpnState}）` : ''}`)
          : ago(peer?.latestHandshake ?? null, ctx.now, ctx.lang);
      const resetAnswered = v?.ep.probe.method === 'openvpn-reset' && v.ep.probe.outcome === 'answered';
      const fix: Fix[] = [];
      if (resetAnswered) {
        fix.push({
          summary: tr(
            ctx.lang,
            `${endpoint} answers OpenVPN on its port, so the path is open: the server rejects this client (certificate, key, tls-auth/tls-crypt key, credentials); its log names the reason`,
            `${endpoint} 在其端口上响应 OpenVPN，路径是通的：服务器拒绝了本客户端（证书、密钥、tls-auth/tls-crypt 密钥或账号），服务器日志会给出原因`,
          ),
        });
      } else {
        fix.push({ summary: fillEp(meta.fix[0]!.summary[ctx.lang], endpoint) });
        if (s.kind === 'wireguard') fix.push({ summary: meta.fix[1]!.summary[ctx.lang], command: `wg show ${s.dev}` });
        else
          fix.push({
            summary: tr(
              ctx.lang,
              'Then check the client certificate, key and tls-auth/tls-crypt key against the server (its log shows "TLS Error" or "AUTH_FAILED")',
              '然后核对客户端证书、密钥及 tls-auth/tls-crypt 密钥与服务器是否匹配（服务器日志会出现 "TLS Error" 或 "AUTH_FAILED"）',
            ),
          });
      }
      const counters = countersText(ctx.lang, h, lastHandshake);
      const bytes = h.txAfter !== null && h.rxAfter !== null;
      const reachable = views.some((x) => x.answered);
      const stalledText =
        h.outcome === 'stalled'
          ? tr(
              ctx.lang,
              `The last handshake with ${endpoint} was ${lastHandshake}, but now the target's packets go into ${s.dev} (tx ${h.txBefore ?? '?'} → ${h.txAfter ?? '?'} bytes) and nothing comes back (rx stays at ${h.rxAfter ?? '?'} bytes): the path stopped carrying UDP to ${endpoint}, or the server dropped this peer; the next handshake will fail the same way.`,
              `与 ${endpoint} 的最近一次握手在${lastHandshake}，但现在发往目标的报文进入 ${s.dev}（发送 ${h.txBefore ?? '?'} → ${h.txAfter ?? '?'} 字节）后没有任何回应（接收停在 ${h.rxAfter ?? '?'} 字节）：路径不再传送发往 ${endpoint} 的 UDP，或服务器丢弃了本对端；下一次握手也会同样失败。`,
            )
          : null;
      return makeFinding(meta, ctx, {
        vars: { endpoint, lastHandshake, dev: s.dev, tx: h.txAfter ?? '?', rx: h.rxAfter ?? '?' },
        ...(stalledText
          ? { explanation: stalledText }
          : h.method === 'wg-snapshot'
            ? {
                explanation: tr(
                  ctx.lang,
                  `When the snapshot was taken, ${h.txAfter ?? '?'} bytes had gone out through ${s.dev} towards ${endpoint} and nothing had come back (rx ${h.rxAfter ?? '?'} bytes); no handshake had ever completed. UDP to the endpoint port is filtered on the path, the endpoint is unreachable (or its name resolved to an old address), or the server rejects the keys — a live diagnosis on that machine (netdx diagnose) tells which.`,
                  `采集快照时，已有 ${h.txAfter ?? '?'} 字节经 ${s.dev} 发往 ${endpoint}，却没有任何回应（接收 ${h.rxAfter ?? '?'} 字节），握手从未完成。可能是路径上过滤了发往端点端口的 UDP、端点不可达（或其域名解析到了旧地址），或者服务器拒绝了密钥——在该机器上运行实时诊断（netdx diagnose）可区分。`,
                ),
              }
            : resetAnswered
              ? {
                  explanation: tr(
                    ctx.lang,
                    `${endpoint} answers OpenVPN on its port (the server returned its hard reset to netdx's probe), yet the client stays ${lastHandshake}${bytes ? ` after ${h.txAfter} bytes sent and ${h.rxAfter} received` : ''}: the path is open, the server refuses this client — its certificate or key, the tls-auth/tls-crypt key, or the credentials.`,
                    `${endpoint} 在其端口上响应 OpenVPN（服务器对 netdx 的探测回复了握手重置），但客户端一直${lastHandshake}${bytes ? `（已发送 ${h.txAfter} 字节、接收 ${h.rxAfter} 字节）` : ''}：路径是通的，是服务器拒绝了本客户端——证书或密钥、tls-auth/tls-crypt 密钥，或账号凭据。`,
                  ),
                }
              : !bytes || s.kind === 'openvpn'
                ? {
                    explanation: tr(
                      ctx.lang,
                      `OpenVPN tries to reach ${endpoint} through ${s.dev} but is not connected (${h.reason ?? 'no state'})${reachable ? ', although the endpoint host answers' : ', and the endpoint answers nothing else either'}: UDP to the endpoint port is filtered on the path, or the server rejects this client.`,
                      `OpenVPN 经 ${s.dev} 连接 ${endpoint}，但始终未连上（${h.reason ? handshakeReasonZh(h.reason) : '无状态'}）${reachable ? '，而端点主机有响应' : '，该端点对其他探测也无响应'}：路径上过滤了发往端点端口的 UDP，或服务器拒绝了本客户端。`,
                    ),
                  }
                : reachable
                  ? {}
                  : {
                      explanation: tr(
                        ctx.lang,
                        `Packets go out through ${s.dev} towards ${endpoint} (tx ${h.txAfter ?? '?'} bytes) but nothing comes back (rx ${h.rxAfter ?? '?'} bytes), and the endpoint answers nothing else either: the underlay path, a UDP filter, or keys the server rejects.`,
                        `报文经 ${s.dev} 发往 ${endpoint}（发送 ${h.txAfter ?? '?'} 字节），但没有任何回应（接收 ${h.rxAfter ?? '?'} 字节），该端点对其他探测也无响应：问题在底层路径、UDP 过滤，或服务器拒绝了密钥。`,
                      ),
                    }),
        evidence: [stateEvidence(s, ctx.lang), evidence('tunnel.handshake', `${s.dev} → ${endpoint}${tr(ctx.lang, ': ', '：')}${counters}`, { ...h }), ...(v ? v.evidence : [])],
        fix,
      });
    }
    return null;
  },
};

/** The handshake's counters (or the OpenVPN state) in words. */
function countersText(lang: Lang, h: ObservationData['tunnel.handshake'], lastHandshake: string): string {
  if (lang === 'zh') {
    if (h.method === 'wg-snapshot') return `${h.reason ? handshakeReasonZh(h.reason) : `发送 ${h.txAfter ?? '?'} 字节，接收 ${h.rxAfter ?? '?'} 字节`}；最近一次握手：${lastHandshake}`;
    if (h.method === 'wg-counters')
      return `${h.outcome === 'stalled' ? '自快照以来' : `观察 ${h.waitedMs} 毫秒期间`}：发送 ${h.txBefore ?? '?'} → ${h.txAfter ?? '?'} 字节，接收 ${h.rxBefore ?? '?'} → ${h.rxAfter ?? '?'} 字节；最近一次握手：${lastHandshake}`;
    return h.reason ? handshakeReasonZh(h.reason) : '未连接';
  }
  if (h.method === 'wg-snapshot') return `${h.reason ?? `tx ${h.txAfter ?? '?'} bytes, rx ${h.rxAfter ?? '?'} bytes`}; latest handshake ${lastHandshake}`;
  if (h.method === 'wg-counters')
    return `tx ${h.txBefore ?? '?'} → ${h.txAfter ?? '?'} bytes, rx ${h.rxBefore ?? '?'} → ${h.rxAfter ?? '?'} bytes${h.outcome === 'stalled' ? ' since the snapshot' : ` while netdx watched ${h.waitedMs} ms`}; latest handshake ${lastHandshake}`;
  return `${h.reason ?? 'not connected'}`;
}

/** The handshake judge's reason (src/diagnose/tunnel.ts) in Chinese; a text it does not know is quoted as it is. */
function handshakeReasonZh(reason: string): string {
  let x: RegExpExecArray | null;
  if ((x = /^management state (\S+)(?: \((.*)\))?$/s.exec(reason))) return `管理接口状态 ${x[1]}${x[2] ? `（${x[2]}）` : ''}`;
  if ((x = /^status: (\d+) bytes sent to the server, none received$/.exec(reason))) return `状态文件：已向服务器发送 ${x[1]} 字节，未收到任何数据`;
  if ((x = /^when the snapshot was taken, (\d+) bytes had been sent to (.+), none received, and no handshake had ever completed$/.exec(reason)))
    return `采集快照时已向 ${x[2] === 'the peer' ? '对端' : x[2]} 发送 ${x[1]} 字节，未收到任何数据，握手从未完成`;
  const known: Record<string, string> = {
    'the openvpn process has no tun/tap device open: no tunnel was established': 'openvpn 进程没有打开 tun/tap 设备：隧道未建立',
    'an OpenVPN server: its clients connect to it': '这是 OpenVPN 服务端：由客户端主动连接它',
    'no management interface configured: the connection state cannot be read': '未配置管理接口：无法读取连接状态',
  };
  return known[reason] ?? `"${reason}"`;
}

function fillEp(text: string, endpoint: string): string {
  return text.replace('{endpoint}', endpoint);
}
