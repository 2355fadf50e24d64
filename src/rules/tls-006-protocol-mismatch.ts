import type { Fix } from '../model/report.js';
import { tr } from './helpers.js';
import { alertName, firstWith, serverLabel, weakKex } from './tls-classify.js';
import type { Rule, RuleContext, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';

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

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-006');
    if (!hit) return null;
    const { h, versions: v } = hit;
    const alert = alertName(h);
    const reason =
      ctx.lang === 'zh'
        ? alert
          ? `收到 ${alert} 告警`
          : (h.errorCode ?? (h.outcome === 'reset' || h.outcome === 'closed' ? `发送 ClientHello 后连接被${h.outcome === 'reset' ? '重置' : '关闭'}` : '握手失败'))
        : alert
          ? `alert ${alert}`
          : (h.errorCode ?? (h.outcome === 'reset' || h.outcome === 'closed' ? `connection ${h.outcome} after the ClientHello` : 'handshake failed'));
    const clientRange = v ? `${v.clientRange.min}–${v.clientRange.max}` : `${h.minVersion}–${h.maxVersion}`;
    let serverSide: string;
    if (v && v.accepted.length > 0) serverSide = tr(ctx.lang, `the server accepts only ${v.accepted.join(', ')}`, `服务器只接受 ${v.accepted.join('、')}`);
    else if (alert === 'handshake_failure')
      serverSide = tr(ctx.lang, 'the server refused the offered cipher suites before sending its certificate', '服务器在发送证书之前就拒绝了客户端提供的加密套件');
    else if (h.errorCode === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE')
      serverSide = tr(
        ctx.lang,
        "the client's own settings leave no version to offer (minimum above maximum, or all versions disabled)",
        '客户端自身的设置没有留下可用版本（最低版本高于最高版本，或所有版本都被禁用）',
      );
    else if (weakKex(h.errorCode))
      serverSide = tr(
        ctx.lang,
        `the server's key exchange parameters are too weak for the client's security level (${h.errorCode}: e.g. Diffie-Hellman parameters under 2048 bits): the server must use a DH group of at least 2048 bits or ECDHE`,
        `服务器的密钥交换参数强度不足，低于客户端的安全级别（${h.errorCode}：例如小于 2048 位的 Diffie-Hellman 参数）：服务器应使用至少 2048 位的 DH 组或 ECDHE`,
      );
    else if (h.errorCode === 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED')
      serverSide = tr(
        ctx.lang,
        'the server speaks only a legacy version whose signatures OpenSSL 3 refuses at its default security level',
        '服务器只支持旧版协议，其签名算法在 OpenSSL 3 默认安全级别下被拒绝',
      );
    else serverSide = tr(ctx.lang, 'the versions the server accepts were not measured', '未能测得服务器接受的版本');
    const ev = [
      evidence(
        'tls.handshake',
        tr(ctx.lang, `TLS ${serverLabel(h)}: ${reason}; client offered ${h.minVersion}–${h.maxVersion}`, `TLS ${serverLabel(h)}：${reason}；客户端提供的版本范围 ${h.minVersion}–${h.maxVersion}`),
        {
          address: h.address,
          port: h.port,
          sni: h.sni,
          alert,
          errorCode: h.errorCode,
          minVersion: h.minVersion,
          maxVersion: h.maxVersion,
        },
      ),
    ];
    if (weakKex(h.errorCode) && h.error) ev.push(evidence('tls.handshake', tr(ctx.lang, `raw error: ${h.error}`, `原始错误："${h.error}"`), { errorCode: h.errorCode, error: h.error }));
    if (v)
      ev.push(
        evidence(
          'tls.versions',
          tr(
            ctx.lang,
            `server accepts: ${v.accepted.join(', ') || 'none'}; rejects: ${v.rejected.join(', ') || 'none'}; client range ${clientRange}`,
            `服务器接受：${v.accepted.join('、') || '无'}；拒绝：${v.rejected.join('、') || '无'}；客户端版本范围 ${clientRange}`,
          ),
          {
            accepted: [...v.accepted],
            rejected: [...v.rejected],
            clientRange: { ...v.clientRange },
          },
        ),
      );
    return makeFinding(meta, ctx, { vars: { server: serverLabel(h), reason, clientRange, serverSide }, evidence: ev, fix: weakKex(h.errorCode) ? weakKexFixes(ctx) : fixes(ctx, v) });
  },
};

/** A DH group too small for the client: the server's configuration is what changes. */
function weakKexFixes(ctx: RuleContext): Fix[] {
  return [
    {
      summary: tr(
        ctx.lang,
        'On the server, use ECDHE or a Diffie-Hellman group of at least 2048 bits (nginx: drop ssl_dhparam or point it at an ffdhe2048 file; generate one with:)',
        '在服务器上改用 ECDHE，或使用至少 2048 位的 Diffie-Hellman 组（nginx：去掉 ssl_dhparam 或指向 ffdhe2048 参数文件；可用以下命令生成：）',
      ),
      command: 'openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out dhparam.pem',
    },
  ];
}

function fixes(ctx: RuleContext, v: { accepted: string[]; clientRange: { min: string; max: string } } | null): Fix[] | undefined {
  if (!v || v.accepted.length === 0) return undefined;
  const idx = v.accepted.map((a) => ORDER.indexOf(a)).filter((i) => i >= 0);
  if (idx.length === 0) return undefined;
  const newest = ORDER[Math.max(...idx)]!;
  const oldest = ORDER[Math.min(...idx)]!;
  const target = shellArg(ctx.target.input);
  if (ORDER.indexOf(newest) < ORDER.indexOf(v.clientRange.min)) {
    const legacy = ORDER.indexOf(newest) < 2;
    return [
      { summary: tr(ctx.lang, `Upgrade the server to TLS 1.2 or 1.3: it accepts only ${v.accepted.join(', ')}`, `升级服务器以支持 TLS 1.2 或 1.3：它目前只接受 ${v.accepted.join('、')}`) },
      {
        summary: tr(
          ctx.lang,
          `Until then, a client must allow ${newest} to talk to it${legacy ? ' (OpenSSL 3 clients also need the security level lowered, e.g. cipher string DEFAULT@SECLEVEL=0)' : ''}; to confirm with netdx:`,
          `在此之前，客户端必须允许 ${newest} 才能访问它${legacy ? '（OpenSSL 3 客户端还需降低安全级别，例如加密套件字符串 DEFAULT@SECLEVEL=0）' : ''}；可用 netdx 验证：`,
        ),
        command: `netdx diagnose ${target} --tls-min ${short(newest)}`,
      },
    ];
  }
  return [
    {
      summary: tr(
        ctx.lang,
        `The server accepts only ${v.accepted.join(', ')}, newer than the client's ${v.clientRange.max}: allow ${oldest} in the client (netdx: --tls-max)`,
        `服务器只接受 ${v.accepted.join('、')}，高于客户端的 ${v.clientRange.max}：请在客户端允许 ${oldest}（netdx：--tls-max）`,
      ),
      command: `netdx diagnose ${target} --tls-max ${short(oldest)}`,
    },
  ];
}
