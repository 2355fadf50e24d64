import { alertName, firstWith, serverLabel, weakKex } from './tls-classify.js';
import type { FixPart, Rule, RuleContext, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg } from './types.js';

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
  evidence: {
    en: "The alert or error of the failed handshake, and the versions the server accepts against the client's range.",
    zh: '握手失败时的告警或错误，以及服务器接受的版本与客户端版本范围的对比。',
  },
  fix: [
    {
      summary: {
        en: 'Upgrade the server to support TLS 1.2 or 1.3 (preferred), or widen the client range if you must talk to the legacy server',
        zh: '升级服务器以支持 TLS 1.2 或 1.3（推荐）；如果必须访问旧服务器，放宽客户端的版本范围',
      },
    },
  ],
  explains: ['APP-002'],
};

/** What the handshake said, as data: the alert, else the error code, else how the connection ended. */
type Said = { alert: string | null; errorCode: string | null; outcome: string };
const reasonText = (p: Said, lang: 'en' | 'zh'): string => {
  const ended = p.outcome === 'reset' || p.outcome === 'closed';
  if (lang === 'zh') return p.alert ? `收到 ${p.alert} 告警` : (p.errorCode ?? (ended ? `发送 ClientHello 后连接被${p.outcome === 'reset' ? '重置' : '关闭'}` : '握手失败'));
  return p.alert ? `alert ${p.alert}` : (p.errorCode ?? (ended ? `connection ${p.outcome} after the ClientHello` : 'handshake failed'));
};

/** What is known of the server's side: the versions it accepts, else what the alert or error tells. */
type Side = Said & { accepted: string[] };
const serverSideText = (p: Side, lang: 'en' | 'zh'): string => {
  const zh = lang === 'zh';
  if (p.accepted.length > 0) return zh ? `服务器只接受 ${p.accepted.join('、')}` : `the server accepts only ${p.accepted.join(', ')}`;
  if (p.alert === 'handshake_failure') return zh ? '服务器在发送证书之前就拒绝了客户端提供的加密套件' : 'the server refused the offered cipher suites before sending its certificate';
  if (p.errorCode === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE')
    return zh
      ? '客户端自身的设置没有留下可用版本（最低版本高于最高版本，或所有版本都被禁用）'
      : "the client's own settings leave no version to offer (minimum above maximum, or all versions disabled)";
  if (weakKex(p.errorCode))
    return zh
      ? `服务器的密钥交换参数强度不足，低于客户端的安全级别（${p.errorCode}：例如小于 2048 位的 Diffie-Hellman 参数）：服务器应使用至少 2048 位的 DH 组或 ECDHE`
      : `the server's key exchange parameters are too weak for the client's security level (${p.errorCode}: e.g. Diffie-Hellman parameters under 2048 bits): the server must use a DH group of at least 2048 bits or ECDHE`;
  if (p.errorCode === 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED')
    return zh ? '服务器只支持旧版协议，其签名算法在 OpenSSL 3 默认安全级别下被拒绝' : 'the server speaks only a legacy version whose signatures OpenSSL 3 refuses at its default security level';
  return zh ? '未能测得服务器接受的版本' : 'the versions the server accepts were not measured';
};

type Why = Side & { server: string; clientRange: string };
const why = (lang: 'en' | 'zh', p: Why): string => fill(meta.explanation[lang], { server: p.server, clientRange: p.clientRange, reason: reasonText(p, lang), serverSide: serverSideText(p, lang) });

const M = defineMessages('TLS-006', {
  /** The meta's explanation with the reason and the server's side said in the language. */
  mismatch: msg(
    (p: Why) => why('en', p),
    (p) => why('zh', p),
  ),
  handshake: msg(
    (p: Said & { server: string; min: string; max: string }) => `TLS ${p.server}: ${reasonText(p, 'en')}; client offered ${p.min}–${p.max}`,
    (p) => `TLS ${p.server}：${reasonText(p, 'zh')}；客户端提供的版本范围 ${p.min}–${p.max}`,
  ),
  rawError: msg(
    (p: { error: string }) => `raw error: ${p.error}`,
    (p) => `原始错误："${p.error}"`,
  ),
  versions: msg(
    (p: { accepted: string[]; rejected: string[]; clientRange: string }) =>
      `server accepts: ${p.accepted.join(', ') || 'none'}; rejects: ${p.rejected.join(', ') || 'none'}; client range ${p.clientRange}`,
    (p) => `服务器接受：${p.accepted.join('、') || '无'}；拒绝：${p.rejected.join('、') || '无'}；客户端版本范围 ${p.clientRange}`,
  ),
  strongerKex: msg(
    'On the server, use ECDHE or a Diffie-Hellman group of at least 2048 bits (nginx: drop ssl_dhparam or point it at an ffdhe2048 file; generate one with:)',
    '在服务器上改用 ECDHE，或使用至少 2048 位的 Diffie-Hellman 组（nginx：去掉 ssl_dhparam 或指向 ffdhe2048 参数文件；可用以下命令生成：）',
  ),
  upgrade: msg(
    (p: { accepted: string[] }) => `Upgrade the server to TLS 1.2 or 1.3: it accepts only ${p.accepted.join(', ')}`,
    (p) => `升级服务器以支持 TLS 1.2 或 1.3：它目前只接受 ${p.accepted.join('、')}`,
  ),
  allowOlder: msg(
    (p: { newest: string; legacy: boolean }) =>
      `Until then, a client must allow ${p.newest} to talk to it${p.legacy ? ' (OpenSSL 3 clients also need the security level lowered, e.g. cipher string DEFAULT@SECLEVEL=0)' : ''}; to confirm with netdx:`,
    (p) => `在此之前，客户端必须允许 ${p.newest} 才能访问它${p.legacy ? '（OpenSSL 3 客户端还需降低安全级别，例如加密套件字符串 DEFAULT@SECLEVEL=0）' : ''}；可用 netdx 验证：`,
  ),
  allowNewer: msg(
    (p: { accepted: string[]; max: string; oldest: string }) =>
      `The server accepts only ${p.accepted.join(', ')}, newer than the client's ${p.max}: allow ${p.oldest} in the client (netdx: --tls-max)`,
    (p) => `服务器只接受 ${p.accepted.join('、')}，高于客户端的 ${p.max}：请在客户端允许 ${p.oldest}（netdx：--tls-max）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-006');
    if (!hit) return null;
    const { h, versions: v } = hit;
    const said = { alert: alertName(h), errorCode: h.errorCode, outcome: h.outcome };
    const clientRange = v ? `${v.clientRange.min}–${v.clientRange.max}` : `${h.minVersion}–${h.maxVersion}`;
    const server = serverLabel(h);
    const ev = [
      evidence('tls.handshake', M.handshake({ ...said, server, min: h.minVersion, max: h.maxVersion }), {
        address: h.address,
        port: h.port,
        sni: h.sni,
        alert: said.alert,
        errorCode: h.errorCode,
        minVersion: h.minVersion,
        maxVersion: h.maxVersion,
      }),
    ];
    if (weakKex(h.errorCode) && h.error) ev.push(evidence('tls.handshake', M.rawError({ error: h.error }), { errorCode: h.errorCode, error: h.error }));
    if (v)
      ev.push(
        evidence('tls.versions', M.versions({ accepted: [...v.accepted], rejected: [...v.rejected], clientRange }), {
          accepted: [...v.accepted],
          rejected: [...v.rejected],
          clientRange: { ...v.clientRange },
        }),
      );
    const fix = weakKex(h.errorCode) ? weakKexFixes() : fixes(ctx, v);
    return makeFinding(meta, ctx, {
      vars: { server, clientRange },
      explanation: M.mismatch({ ...said, accepted: v ? [...v.accepted] : [], server, clientRange }),
      evidence: ev,
      ...(fix ? { fix } : {}),
    });
  },
};

/** A DH group too small for the client: the server's configuration is what changes. */
function weakKexFixes(): FixPart[] {
  return [{ summary: M.strongerKex(), command: 'openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out dhparam.pem' }];
}

function fixes(ctx: RuleContext, v: { accepted: string[]; clientRange: { min: string; max: string } } | null): FixPart[] | undefined {
  if (!v || v.accepted.length === 0) return undefined;
  const idx = v.accepted.map((a) => ORDER.indexOf(a)).filter((i) => i >= 0);
  if (idx.length === 0) return undefined;
  const newest = ORDER[Math.max(...idx)]!;
  const oldest = ORDER[Math.min(...idx)]!;
  const target = shellArg(ctx.target.input);
  const accepted = [...v.accepted];
  if (ORDER.indexOf(newest) < ORDER.indexOf(v.clientRange.min)) {
    return [{ summary: M.upgrade({ accepted }) }, { summary: M.allowOlder({ newest, legacy: ORDER.indexOf(newest) < 2 }), command: `netdx diagnose ${target} --tls-min ${short(newest)}` }];
  }
  return [{ summary: M.allowNewer({ accepted, max: v.clientRange.max, oldest }), command: `netdx diagnose ${target} --tls-max ${short(oldest)}` }];
}
