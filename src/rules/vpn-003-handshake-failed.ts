import type { FixPart, Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, registerMetaMessages, metaText } from './types.js';
import { ago, endpointViews, handshakeAge, handshakeOf, stateEvidence, tunnels, type HandshakeAge } from './vpn-common.js';
import type { Lang } from '../model/layer.js';

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

/** When the last handshake was: an OpenVPN client's state (not connected), or a WireGuard peer's handshake age. */
type Last = HandshakeAge & { openvpn: boolean; ovpnState: string | null; ovpnDetail: string | null };

function lastText(lang: Lang, p: Last): string {
  if (!p.openvpn) return ago(lang, p);
  const st = p.ovpnState ? `${p.ovpnState}${p.ovpnDetail ? `, ${p.ovpnDetail}` : ''}` : null;
  return lang === 'zh' ? `未连接${st ? `（${st}）` : ''}` : `not connected${st ? ` (${st})` : ''}`;
}

/** The byte counters (null: not known, shown as '?'). */
type Bytes = { txBefore: number | null; txAfter: number | null; rxBefore: number | null; rxAfter: number | null };
const q = (n: number | null): string | number => n ?? '?';

/** The handshake observation as params. */
type Counters = Bytes & Last & { dev: string; endpoint: string; method: string; outcome: string; reason: string | null; waitedMs: number };

/** The handshake's counters (or the OpenVPN state) in words. */
function countersText(lang: Lang, h: Counters): string {
  const last = lastText(lang, h);
  if (lang === 'zh') {
    if (h.method === 'wg-snapshot') return `${h.reason ? handshakeReasonZh(h.reason) : `发送 ${q(h.txAfter)} 字节，接收 ${q(h.rxAfter)} 字节`}；最近一次握手：${last}`;
    if (h.method === 'wg-counters')
      return `${h.outcome === 'stalled' ? '自快照以来' : `观察 ${h.waitedMs} 毫秒期间`}：发送 ${q(h.txBefore)} → ${q(h.txAfter)} 字节，接收 ${q(h.rxBefore)} → ${q(h.rxAfter)} 字节；最近一次握手：${last}`;
    return h.reason ? handshakeReasonZh(h.reason) : '未连接';
  }
  if (h.method === 'wg-snapshot') return `${h.reason ?? `tx ${q(h.txAfter)} bytes, rx ${q(h.rxAfter)} bytes`}; latest handshake ${last}`;
  if (h.method === 'wg-counters')
    return `tx ${q(h.txBefore)} → ${q(h.txAfter)} bytes, rx ${q(h.rxBefore)} → ${q(h.rxAfter)} bytes${h.outcome === 'stalled' ? ' since the snapshot' : ` while netdx watched ${h.waitedMs} ms`}; latest handshake ${last}`;
  return `${h.reason ?? 'not connected'}`;
}

/** The meta's title in a language (the last handshake told, not passed). */
const titleWords = (lang: Lang, p: Last & { endpoint: string }): Record<string, string> => ({ endpoint: p.endpoint, lastHandshake: lastText(lang, p) });

const M = defineMessages('VPN-003', {
  lastTitle: metaText(meta.title, titleWords),
  handshake: msg(
    (p: Counters) => `${p.dev} → ${p.endpoint}: ${countersText('en', p)}`,
    (p) => `${p.dev} → ${p.endpoint}：${countersText('zh', p)}`,
  ),
  serverRejects: msg(
    (p: { endpoint: string }) =>
      `${p.endpoint} answers OpenVPN on its port, so the path is open: the server rejects this client (certificate, key, tls-auth/tls-crypt key, credentials); its log names the reason`,
    (p) => `${p.endpoint} 在其端口上响应 OpenVPN，路径是通的：服务器拒绝了本客户端（证书、密钥、tls-auth/tls-crypt 密钥或账号），服务器日志会给出原因`,
  ),
  checkOpenvpnKeys: msg(
    'Then check the client certificate, key and tls-auth/tls-crypt key against the server (its log shows "TLS Error" or "AUTH_FAILED")',
    '然后核对客户端证书、密钥及 tls-auth/tls-crypt 密钥与服务器是否匹配（服务器日志会出现 "TLS Error" 或 "AUTH_FAILED"）',
  ),
  stalled: msg(
    (p: Last & Bytes & { endpoint: string; dev: string }) =>
      `The last handshake with ${p.endpoint} was ${lastText('en', p)}, but now the target's packets go into ${p.dev} (tx ${q(p.txBefore)} → ${q(p.txAfter)} bytes) and nothing comes back (rx stays at ${q(p.rxAfter)} bytes): the path stopped carrying UDP to ${p.endpoint}, or the server dropped this peer; the next handshake will fail the same way.`,
    (p) =>
      `与 ${p.endpoint} 的最近一次握手在${lastText('zh', p)}，但现在发往目标的报文进入 ${p.dev}（发送 ${q(p.txBefore)} → ${q(p.txAfter)} 字节）后没有任何回应（接收停在 ${q(p.rxAfter)} 字节）：路径不再传送发往 ${p.endpoint} 的 UDP，或服务器丢弃了本对端；下一次握手也会同样失败。`,
  ),
  snapshot: msg(
    (p: Bytes & { endpoint: string; dev: string }) =>
      `When the snapshot was taken, ${q(p.txAfter)} bytes had gone out through ${p.dev} towards ${p.endpoint} and nothing had come back (rx ${q(p.rxAfter)} bytes); no handshake had ever completed. UDP to the endpoint port is filtered on the path, the endpoint is unreachable (or its name resolved to an old address), or the server rejects the keys — a live diagnosis on that machine (netdx diagnose) tells which.`,
    (p) =>
      `采集快照时，已有 ${q(p.txAfter)} 字节经 ${p.dev} 发往 ${p.endpoint}，却没有任何回应（接收 ${q(p.rxAfter)} 字节），握手从未完成。可能是路径上过滤了发往端点端口的 UDP、端点不可达（或其域名解析到了旧地址），或者服务器拒绝了密钥——在该机器上运行实时诊断（netdx diagnose）可区分。`,
  ),
  resetAnswered: msg(
    (p: Last & Bytes & { endpoint: string }) =>
      `${p.endpoint} answers OpenVPN on its port (the server returned its hard reset to netdx's probe), yet the client stays ${lastText('en', p)}${p.txAfter !== null && p.rxAfter !== null ? ` after ${p.txAfter} bytes sent and ${p.rxAfter} received` : ''}: the path is open, the server refuses this client — its certificate or key, the tls-auth/tls-crypt key, or the credentials.`,
    (p) =>
      `${p.endpoint} 在其端口上响应 OpenVPN（服务器对 netdx 的探测回复了握手重置），但客户端一直${lastText('zh', p)}${p.txAfter !== null && p.rxAfter !== null ? `（已发送 ${p.txAfter} 字节、接收 ${p.rxAfter} 字节）` : ''}：路径是通的，是服务器拒绝了本客户端——证书或密钥、tls-auth/tls-crypt 密钥，或账号凭据。`,
  ),
  openvpn: msg(
    (p: { endpoint: string; dev: string; reason: string | null; reachable: boolean }) =>
      `OpenVPN tries to reach ${p.endpoint} through ${p.dev} but is not connected (${p.reason ?? 'no state'})${p.reachable ? ', although the endpoint host answers' : ', and the endpoint answers nothing else either'}: UDP to the endpoint port is filtered on the path, or the server rejects this client.`,
    (p) =>
      `OpenVPN 经 ${p.dev} 连接 ${p.endpoint}，但始终未连上（${p.reason ? handshakeReasonZh(p.reason) : '无状态'}）${p.reachable ? '，而端点主机有响应' : '，该端点对其他探测也无响应'}：路径上过滤了发往端点端口的 UDP，或服务器拒绝了本客户端。`,
  ),
  silent: msg(
    (p: Bytes & { endpoint: string; dev: string }) =>
      `Packets go out through ${p.dev} towards ${p.endpoint} (tx ${q(p.txAfter)} bytes) but nothing comes back (rx ${q(p.rxAfter)} bytes), and the endpoint answers nothing else either: the underlay path, a UDP filter, or keys the server rejects.`,
    (p) => `报文经 ${p.dev} 发往 ${p.endpoint}（发送 ${q(p.txAfter)} 字节），但没有任何回应（接收 ${q(p.rxAfter)} 字节），该端点对其他探测也无响应：问题在底层路径、UDP 过滤，或服务器拒绝了密钥。`,
  ),
});

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
      const dev = s.dev;
      const peer = s.peers.find((p) => (p.publicKey ?? p.name) === h.peer) ?? s.peers[0];
      const last: Last = {
        ...handshakeAge(peer?.latestHandshake ?? null, ctx.now),
        openvpn: s.kind === 'openvpn',
        ovpnState: s.openvpn?.state ?? null,
        ovpnDetail: s.openvpn?.detail ?? null,
      };
      const bytes: Bytes = { txBefore: h.txBefore, txAfter: h.txAfter, rxBefore: h.rxBefore, rxAfter: h.rxAfter };
      const resetAnswered = v?.ep.probe.method === 'openvpn-reset' && v.ep.probe.outcome === 'answered';
      const fix: FixPart[] = [];
      if (resetAnswered) {
        fix.push({ summary: M.serverRejects({ endpoint }) });
      } else {
        // The meta's fixes by their own ids.
        const fixIds = registerMetaMessages(meta).fix;
        fix.push({ summary: { id: fixIds[0]!, params: { endpoint } } });
        if (s.kind === 'wireguard') fix.push({ summary: { id: fixIds[1]!, params: { dev } }, command: `wg show ${dev}` });
        else fix.push({ summary: M.checkOpenvpnKeys() });
      }
      const reachable = views.some((x) => x.answered);
      const explanation =
        h.outcome === 'stalled'
          ? M.stalled({ ...last, ...bytes, endpoint, dev })
          : h.method === 'wg-snapshot'
            ? M.snapshot({ ...bytes, endpoint, dev })
            : resetAnswered
              ? M.resetAnswered({ ...last, ...bytes, endpoint })
              : h.txAfter === null || h.rxAfter === null || s.kind === 'openvpn'
                ? M.openvpn({ endpoint, dev, reason: h.reason ?? null, reachable })
                : reachable
                  ? undefined
                  : M.silent({ ...bytes, endpoint, dev });
      const counters: Counters = { ...bytes, ...last, dev, endpoint, method: h.method, outcome: h.outcome, reason: h.reason ?? null, waitedMs: h.waitedMs };
      return makeFinding(meta, ctx, {
        vars: { endpoint, dev, tx: q(h.txAfter), rx: q(h.rxAfter) },
        title: M.lastTitle({ ...last, endpoint }),
        ...(explanation ? { explanation } : {}),
        evidence: [stateEvidence(s), evidence('tunnel.handshake', M.handshake(counters), { ...h }), ...(v ? v.evidence : [])],
        fix,
      });
    }
    return null;
  },
};
