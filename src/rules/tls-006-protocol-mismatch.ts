import { alertName, firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleContext, RuleMeta } from './types.js';
import { evidence, makeFinding, ruleMessages, type FixPart, type Msg } from './types.js';
import { word } from './words.js';

const ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** '1.0' … '1.3' as --tls-min/--tls-max take them. */
const short = (v: string): string => (v === 'TLSv1' ? '1.0' : v.replace(/^TLSv/, ''));
/** The target as typed, quoted for a shell when it needs it. */
const shellArg = (s: string): string => (/^[A-Za-z0-9_.:/@[\]-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export const meta: RuleMeta = {
  code: 'TLS-006',
  slug: 'protocol-mismatch',
  layer: 'tls',
  severity: 'error',
  title: { en: 'No common TLS version or cipher with {server}', zh: '与 {server} 的 TLS版本/加密套件不匹配' },
  explanation: {
    en: 'The handshake with {server} failed because client and server share no TLS version or cipher suite ({reason}). The client offered {clientRange}; {serverSide}.',
    zh: '与 {server} 的 TLS 握手失败：客户端和服务器没有共同支持的 TLS 版本或加密套件（{reason}）。客户端提供的版本范围是 {clientRange}；{serverSide}。',
  },
  evidence: { en: 'The alert or error of the failed handshake, and the versions the server accepts against the client\'s range.', zh: '握手失败时的告警或错误，以及服务器接受的版本与客户端版本范围的对比。' },
  fix: [
    { summary: { en: 'Upgrade the server to support TLS 1.2 or 1.3 (preferred), or widen the client range if you must talk to the legacy server', zh: '升级服务器以支持 TLS 1.2 或 1.3（推荐）；如果必须访问旧服务器，放宽客户端的版本范围' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
  messages: {
    alert: { en: 'alert {alert}', zh: '收到 {alert} 告警' },
    connAfterHello: { en: 'connection {outcome} after the ClientHello', zh: '发送 ClientHello 后连接被{outcome}' },
    reset: { en: 'reset', zh: '重置' },
    closed: { en: 'closed', zh: '关闭' },
    handshakeFailed: { en: 'handshake failed', zh: '握手失败' },
    acceptsOnly: { en: 'the server accepts only {accepted}', zh: '服务器只接受 {accepted}' },
    upgrade: { en: 'Upgrade the server to TLS 1.2 or 1.3: it accepts only {accepted}', zh: '升级服务器以支持 TLS 1.2 或 1.3：它目前只接受 {accepted}' },
    allowNewest: { en: 'Until then, a client must allow {newest} to talk to it; to confirm with netdx:', zh: '在此之前，客户端必须允许 {newest} 才能访问它；可用 netdx 验证：' },
    allowNewestLegacy: { en: 'Until then, a client must allow {newest} to talk to it (OpenSSL 3 clients also need the security level lowered, e.g. cipher string DEFAULT@SECLEVEL=0); to confirm with netdx:', zh: '在此之前，客户端必须允许 {newest} 才能访问它（OpenSSL 3 客户端还需降低安全级别，例如加密套件字符串 DEFAULT@SECLEVEL=0）；可用 netdx 验证：' },
    allowOldest: { en: "The server accepts only {accepted}, newer than the client's {max}: allow {oldest} in the client (netdx: --tls-max)", zh: '服务器只接受 {accepted}，高于客户端的 {max}：请在客户端允许 {oldest}（netdx：--tls-max）' },
    handshake: { en: 'TLS {server}: {reason}; client offered {min}–{max}', zh: 'TLS {server}：{reason}；客户端提供的版本范围 {min}–{max}' },
    versions: { en: 'server accepts: {accepted}; rejects: {rejected}; client range {range}', zh: '服务器接受：{accepted}；拒绝：{rejected}；客户端版本范围 {range}' },
    serverSide: { en: 'the server refused the offered cipher suites before sending its certificate', zh: '服务器在发送证书之前就拒绝了客户端提供的加密套件' },
    serverSide2: { en: "the client's own settings leave no version to offer (minimum above maximum, or all versions disabled)", zh: '客户端自身的设置没有留下可用版本（最低版本高于最高版本，或所有版本都被禁用）' },
    serverSide3: { en: 'the server speaks only a legacy version whose signatures OpenSSL 3 refuses at its default security level', zh: '服务器只支持旧版协议，其签名算法在 OpenSSL 3 默认安全级别下被拒绝' },
    serverSide4: { en: 'the versions the server accepts were not measured', zh: '未能测得服务器接受的版本' },
  },
};

const m = ruleMessages(meta);

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-006');
    if (!hit) return null;
    const { h, versions: v } = hit;
    const alert = alertName(h);
    const reason = alert ? m('alert', { alert }) : (h.errorCode ?? (h.outcome === 'reset' || h.outcome === 'closed' ? m('connAfterHello', { outcome: m(h.outcome) }) : m('handshakeFailed')));
    const clientRange = v ? `${v.clientRange.min}–${v.clientRange.max}` : `${h.minVersion}–${h.maxVersion}`;
    let serverSide: Msg;
    if (v && v.accepted.length > 0) serverSide = m('acceptsOnly', { accepted: v.accepted });
    else if (alert === 'handshake_failure') serverSide = m('serverSide');
    else if (h.errorCode === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE') serverSide = m('serverSide2');
    else if (h.errorCode === 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED') serverSide = m('serverSide3');
    else serverSide = m('serverSide4');
    const ev = [
      evidence('tls.handshake', m('handshake', { server: serverLabel(h), reason, min: h.minVersion, max: h.maxVersion }), { address: h.address, port: h.port, sni: h.sni, alert, errorCode: h.errorCode, minVersion: h.minVersion, maxVersion: h.maxVersion }),
    ];
    if (v) ev.push(evidence('tls.versions', m('versions', { accepted: v.accepted.length > 0 ? v.accepted : word('none'), rejected: v.rejected.length > 0 ? v.rejected : word('none'), range: clientRange }), { accepted: [...v.accepted], rejected: [...v.rejected], clientRange: { ...v.clientRange } }));
    return makeFinding(meta, ctx, { vars: { server: serverLabel(h), reason, clientRange, serverSide }, evidence: ev, fix: fixes(ctx, v) });
  },
};

function fixes(ctx: RuleContext, v: { accepted: string[]; clientRange: { min: string; max: string } } | null): FixPart[] | undefined {
  if (!v || v.accepted.length === 0) return undefined;
  const idx = v.accepted.map((a) => ORDER.indexOf(a)).filter((i) => i >= 0);
  if (idx.length === 0) return undefined;
  const newest = ORDER[Math.max(...idx)]!;
  const oldest = ORDER[Math.min(...idx)]!;
  const target = shellArg(ctx.target.input);
  if (ORDER.indexOf(newest) < ORDER.indexOf(v.clientRange.min)) {
    const legacy = ORDER.indexOf(newest) < 2;
    return [
      { summary: m('upgrade', { accepted: v.accepted }) },
      {
        summary: m(legacy ? 'allowNewestLegacy' : 'allowNewest', { newest }),
        command: `netdx diagnose ${target} --tls-min ${short(newest)}`,
      },
    ];
  }
  return [
    {
      summary: m('allowOldest', { accepted: v.accepted, max: v.clientRange.max, oldest }),
      command: `netdx diagnose ${target} --tls-max ${short(oldest)}`,
    },
  ];
}
