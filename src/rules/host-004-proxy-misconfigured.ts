import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { redactUrl, said, tr } from './helpers.js';

export const meta: RuleMeta = {
  code: 'HOST-004',
  slug: 'proxy-misconfigured',
  layer: 'host',
  severity: 'error',
  title: { en: 'The proxy {proxy} set by {variable} does not answer', zh: '代理配置错误：{variable} 指定的代理 {proxy} 无法连接' },
  explanation: {
    en: 'The environment variable {variable} sends traffic for {host} through the proxy {proxy}, but a TCP connect to the proxy ended with "{outcome}". Programs that honour the variable (curl, package managers, most HTTP libraries) fail even though the target itself may be reachable.',
    zh: '环境变量 {variable} 让发往 {host} 的流量经过代理 {proxy}，但连接该代理的结果是"{outcome}"。遵循该变量的程序（curl、包管理器、大多数 HTTP 库）都会失败，即使目标本身可能是可达的。',
  },
  evidence: {
    en: 'The proxy variables that apply to the target (credentials masked) and a TCP connect to the selected proxy.',
    zh: '适用于该目标的代理环境变量（已隐去凭据）以及到所选代理的 TCP 连接结果。',
  },
  fix: [
    {
      summary: {
        en: 'If no proxy is needed, unset the variable (and remove it from the shell profile or /etc/environment)',
        zh: '如果不需要代理，取消该变量（并从 shell 配置或 /etc/environment 中删除）',
      },
      command: 'unset {variable}',
    },
    { summary: { en: 'Or exempt the target from the proxy', zh: '或者让该目标不走代理' }, command: 'export no_proxy="${no_proxy:+$no_proxy,}{host}"' },
    { summary: { en: 'Or correct the variable to a proxy that answers', zh: '或者把变量改为一个可用的代理地址' } },
  ],
  explains: ['APP-002'],
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const p = ofKind(ctx.observations, 'host.proxy')[0];
    const sel = p?.data.selected;
    if (!p || !sel) return null;
    const conn = ofKind(ctx.observations, 'proxy.connect').find((c) => c.data.host === sel.host && c.data.port === sel.port);
    if (!conn || conn.data.outcome === 'open') return null;
    const proxyText = `${sel.host.includes(':') ? `[${sel.host}]` : sel.host}:${sel.port}`;
    const value = p.data.variables.find((v) => v.name === sel.variable)?.value;
    const setting = `${sel.variable}=${value === undefined ? proxyText : redactUrl(value)}`;
    return makeFinding(meta, ctx, {
      vars: { variable: sel.variable, proxy: proxyText, host: ctx.target.host, outcome: said(ctx.lang, conn.data.outcome) },
      evidence: [
        evidence('host.proxy', tr(ctx.lang, `${setting} applies to ${ctx.target.host}`, `${setting} 作用于 ${ctx.target.host}`), {
          variables: p.data.variables.map((v) => ({ name: v.name, value: redactUrl(v.value) })),
          selected: sel,
        }),
        evidence(
          'proxy.connect',
          tr(
            ctx.lang,
            `TCP connect to ${proxyText}: ${conn.data.outcome}${conn.data.error ? ` (${conn.data.error})` : ''} after ${Math.round(conn.data.ms)} ms`,
            `TCP 连接 ${proxyText}：${said(ctx.lang, conn.data.outcome)}${conn.data.error ? `（${conn.data.error}）` : ''}，耗时 ${Math.round(conn.data.ms)} 毫秒`,
          ),
          { ...conn.data },
        ),
      ],
    });
  },
};
