import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ruleMessages, metaFix, type FixPart } from './types.js';
import { ago, endpointViews, handshakeOf, stateEvidence, tunnels } from './vpn-common.js';

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
    { summary: { en: 'First check that UDP to {endpoint} is not filtered on the path (ask the network operator or test from another network)', zh: '首先确认路径上没有过滤发往 {endpoint} 的 UDP（联系网络管理方，或从其他网络测试）' } },
    { summary: { en: 'Then check the keys: this peer’s public key must be configured on the server, and the server’s key here', zh: '然后检查密钥：服务器上必须配置本端公钥，本端必须配置服务器的公钥' }, command: 'wg show {dev}' },
  ],
  implemented: true,
  issue: 7,
  explains: ['DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
  messages: {
    notConnected: { en: 'not connected', zh: '未连接' },
    notConnectedState: { en: 'not connected ({state})', zh: '未连接（{state}）' },
    rejected: { en: '{endpoint} answers OpenVPN on its port, so the path is open: the server rejects this client (certificate, key, tls-auth/tls-crypt key, credentials); its log names the reason', zh: '{endpoint} 在其端口上响应 OpenVPN，路径是通的：服务器拒绝了本客户端（证书、密钥、tls-auth/tls-crypt 密钥或账号），服务器日志会给出原因' },
    checkKeys: { en: 'Then check the client certificate, key and tls-auth/tls-crypt key against the server (its log shows "TLS Error" or "AUTH_FAILED")', zh: '然后核对客户端证书、密钥及 tls-auth/tls-crypt 密钥与服务器是否匹配（服务器日志会出现 "TLS Error" 或 "AUTH_FAILED"）' },
    snapshotCounters: { en: 'tx {tx} bytes, rx {rx} bytes', zh: '发送 {tx} 字节，接收 {rx} 字节' },
    latest: { en: '{counters}; latest handshake {last}', zh: '{counters}；最近一次握手：{last}' },
    watched: { en: 'tx {txBefore} → {tx} bytes, rx {rxBefore} → {rx} bytes while netdx watched {ms} ms', zh: '观察 {ms} 毫秒期间：发送 {txBefore} → {tx} 字节，接收 {rxBefore} → {rx} 字节' },
    sinceSnapshot: { en: 'tx {txBefore} → {tx} bytes, rx {rxBefore} → {rx} bytes since the snapshot', zh: '自快照以来：发送 {txBefore} → {tx} 字节，接收 {rxBefore} → {rx} 字节' },
    handshake: { en: '{dev} → {endpoint}: {counters}', zh: '{dev} → {endpoint}：{counters}' },
    stalled: { en: "The last handshake with {endpoint} was {last}, but now the target's packets go into {dev} (tx {txBefore} → {tx} bytes) and nothing comes back (rx stays at {rx} bytes): the path stopped carrying UDP to {endpoint}, or the server dropped this peer; the next handshake will fail the same way.", zh: '与 {endpoint} 的最近一次握手在{last}，但现在发往目标的报文进入 {dev}（发送 {txBefore} → {tx} 字节）后没有任何回应（接收停在 {rx} 字节）：路径不再传送发往 {endpoint} 的 UDP，或服务器丢弃了本对端；下一次握手也会同样失败。' },
    snapshot: { en: 'When the snapshot was taken, {tx} bytes had gone out through {dev} towards {endpoint} and nothing had come back (rx {rx} bytes); no handshake had ever completed. UDP to the endpoint port is filtered on the path, the endpoint is unreachable (or its name resolved to an old address), or the server rejects the keys — a live diagnosis on that machine (netdx diagnose) tells which.', zh: '采集快照时，已有 {tx} 字节经 {dev} 发往 {endpoint}，却没有任何回应（接收 {rx} 字节），握手从未完成。可能是路径上过滤了发往端点端口的 UDP、端点不可达（或其域名解析到了旧地址），或者服务器拒绝了密钥——在该机器上运行实时诊断（netdx diagnose）可区分。' },
    resetAnswered: { en: "{endpoint} answers OpenVPN on its port (the server returned its hard reset to netdx's probe), yet the client stays {last}: the path is open, the server refuses this client — its certificate or key, the tls-auth/tls-crypt key, or the credentials.", zh: '{endpoint} 在其端口上响应 OpenVPN（服务器对 netdx 的探测回复了握手重置），但客户端一直{last}：路径是通的，是服务器拒绝了本客户端——证书或密钥、tls-auth/tls-crypt 密钥，或账号凭据。' },
    resetAnsweredBytes: { en: "{endpoint} answers OpenVPN on its port (the server returned its hard reset to netdx's probe), yet the client stays {last} after {tx} bytes sent and {rx} received: the path is open, the server refuses this client — its certificate or key, the tls-auth/tls-crypt key, or the credentials.", zh: '{endpoint} 在其端口上响应 OpenVPN（服务器对 netdx 的探测回复了握手重置），但客户端一直{last}（已发送 {tx} 字节、接收 {rx} 字节）：路径是通的，是服务器拒绝了本客户端——证书或密钥、tls-auth/tls-crypt 密钥，或账号凭据。' },
    ovpnReachable: { en: 'OpenVPN tries to reach {endpoint} through {dev} but is not connected ({reason}), although the endpoint host answers: UDP to the endpoint port is filtered on the path, or the server rejects this client.', zh: 'OpenVPN 经 {dev} 连接 {endpoint}，但始终未连上（{reason}），而端点主机有响应：路径上过滤了发往端点端口的 UDP，或服务器拒绝了本客户端。' },
    ovpnSilent: { en: 'OpenVPN tries to reach {endpoint} through {dev} but is not connected ({reason}), and the endpoint answers nothing else either: UDP to the endpoint port is filtered on the path, or the server rejects this client.', zh: 'OpenVPN 经 {dev} 连接 {endpoint}，但始终未连上（{reason}），该端点对其他探测也无响应：路径上过滤了发往端点端口的 UDP，或服务器拒绝了本客户端。' },
    noState: { en: 'no state', zh: '无状态' },
    silent: { en: 'Packets go out through {dev} towards {endpoint} (tx {tx} bytes) but nothing comes back (rx {rx} bytes), and the endpoint answers nothing else either: the underlay path, a UDP filter, or keys the server rejects.', zh: '报文经 {dev} 发往 {endpoint}（发送 {tx} 字节），但没有任何回应（接收 {rx} 字节），该端点对其他探测也无响应：问题在底层路径、UDP 过滤，或服务器拒绝了密钥。' },
  },
};

const m = ruleMessages(meta);

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
      const lastHandshake = s.kind === 'openvpn' ? (ovpnState ? m('notConnectedState', { state: ovpnState }) : m('notConnected')) : ago(peer?.latestHandshake ?? null, ctx.now, ctx.lang);
      const resetAnswered = v?.ep.probe.method === 'openvpn-reset' && v.ep.probe.outcome === 'answered';
      const fix: FixPart[] = [];
      if (resetAnswered) {
        fix.push({ summary: m('rejected', { endpoint }) });
      } else {
        fix.push(metaFix(meta, 0, { endpoint }));
        if (s.kind === 'wireguard') fix.push({ summary: metaFix(meta, 1).summary, command: `wg show ${s.dev}` });
        else fix.push({ summary: m('checkKeys') });
      }
      const counters =
        h.method === 'wg-snapshot'
          ? m('latest', { counters: h.reason ?? m('snapshotCounters', { tx: h.txAfter ?? '?', rx: h.rxAfter ?? '?' }), last: lastHandshake })
          : h.method === 'wg-counters'
          ? m('latest', { counters: m(h.outcome === 'stalled' ? 'sinceSnapshot' : 'watched', { txBefore: h.txBefore ?? '?', tx: h.txAfter ?? '?', rxBefore: h.rxBefore ?? '?', rx: h.rxAfter ?? '?', ...(h.outcome === 'stalled' ? {} : { ms: h.waitedMs }) }), last: lastHandshake })
          : (h.reason ?? m('notConnected'));
      const bytes = h.txAfter !== null && h.rxAfter !== null;
      const reachable = views.some((x) => x.answered);
      const stalledText =
        h.outcome === 'stalled'
          ? m('stalled', { endpoint, last: lastHandshake, dev: s.dev, txBefore: h.txBefore ?? '?', tx: h.txAfter ?? '?', rx: h.rxAfter ?? '?' })
          : null;
      return makeFinding(meta, ctx, {
        vars: { endpoint, lastHandshake, dev: s.dev, tx: h.txAfter ?? '?', rx: h.rxAfter ?? '?' },
        ...(stalledText ? { explanation: stalledText } : h.method === 'wg-snapshot'
          ? {
              explanation: m('snapshot', { tx: h.txAfter ?? '?', dev: s.dev, endpoint, rx: h.rxAfter ?? '?' }),
            }
          : resetAnswered
          ? {
              explanation: bytes ? m('resetAnsweredBytes', { endpoint, last: lastHandshake, tx: h.txAfter ?? '?', rx: h.rxAfter ?? '?' }) : m('resetAnswered', { endpoint, last: lastHandshake }),
            }
          : !bytes || s.kind === 'openvpn'
          ? {
              explanation: m(reachable ? 'ovpnReachable' : 'ovpnSilent', { endpoint, dev: s.dev, reason: h.reason ?? m('noState') }),
            }
          : reachable
          ? {}
          : {
              explanation: m('silent', { dev: s.dev, endpoint, tx: h.txAfter ?? '?', rx: h.rxAfter ?? '?' }),
            }),
        evidence: [stateEvidence(s), evidence('tunnel.handshake', m('handshake', { dev: s.dev, endpoint, counters }), { ...h }), ...(v ? v.evidence : [])],
        fix,
      });
    }
    return null;
  },
};
