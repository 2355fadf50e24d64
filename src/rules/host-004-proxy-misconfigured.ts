import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { redactUrl, said } from './helpers.js';

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

const M = defineMessages('HOST-004', {
  /** The meta's explanation with the probe's outcome word in the reader's language. */
  outcomeExplanation: msg(
    (p: { variable: string; host: string; proxy: string; outcome: string }) =>
      `The environment variable ${p.variable} sends traffic for ${p.host} through the proxy ${p.proxy}, but a TCP connect to the proxy ended with "${p.outcome}". Programs that honour the variable (curl, package managers, most HTTP libraries) fail even though the target itself may be reachable.`,
    (p) =>
      `环境变量 ${p.variable} 让发往 ${p.host} 的流量经过代理 ${p.proxy}，但连接该代理的结果是"${said('zh', p.outcome)}"。遵循该变量的程序（curl、包管理器、大多数 HTTP 库）都会失败，即使目标本身可能是可达的。`,
  ),
  appliesTo: msg(
    (p: { setting: string; host: string }) => `${p.setting} applies to ${p.host}`,
    (p) => `${p.setting} 作用于 ${p.host}`,
  ),
  connect: msg(
    (p: { proxy: string; outcome: string; error: string | null; ms: number }) => `TCP connect to ${p.proxy}: ${p.outcome}${p.error ? ` (${p.error})` : ''} after ${p.ms} ms`,
    (p) => `TCP 连接 ${p.proxy}：${said('zh', p.outcome)}${p.error ? `（${p.error}）` : ''}，耗时 ${p.ms} 毫秒`,
  ),
});

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
    const vars = { variable: sel.variable, proxy: proxyText, host: ctx.target.host, outcome: conn.data.outcome };
    return makeFinding(meta, ctx, {
      vars,
      explanation: M.outcomeExplanation(vars),
      evidence: [
        evidence('host.proxy', M.appliesTo({ setting, host: ctx.target.host }), {
          variables: p.data.variables.map((v) => ({ name: v.name, value: redactUrl(v.value) })),
          selected: sel,
        }),
        evidence('proxy.connect', M.connect({ proxy: proxyText, outcome: conn.data.outcome, error: conn.data.error ?? null, ms: Math.round(conn.data.ms) }), { ...conn.data }),
      ],
    });
  },
};
