import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, registerMetaMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'APP-002',
  slug: 'http-error',
  layer: 'app',
  severity: 'error',
  title: { en: '{url} answers HTTP {status}', zh: 'HTTP错误状态码：{url} 返回 HTTP {status}' },
  explanation: {
    en: 'The network, TCP and TLS work, but the HTTP endpoint answers {status}{server}: {meaning}',
    zh: '网络、TCP 与 TLS 都正常，但 HTTP 端点返回 {status}{server}：{meaning}',
  },
  evidence: {
    en: 'The HTTP status line, the Server header and the response time. 5xx and unexpected 4xx are errors; 401/403 (credentials netdx does not send) are not; 429 is a warning; 1xx–3xx are fine.',
    zh: 'HTTP 状态行、Server 头与响应时间。5xx 与非预期的 4xx 判为错误；401/403（netdx 未携带凭据）不算故障；429 为警告；1xx–3xx 正常。',
  },
  fix: [
    {
      summary: {
        en: '5xx: the server or the upstream behind its proxy fails: read the application/proxy log for {url} at {time}',
        zh: '5xx：服务器或其代理后端出错：查看 {time} 前后 {url} 的应用/代理日志',
      },
    },
    { summary: { en: '4xx: check the URL path, the Host name and the request the client sends', zh: '4xx：检查 URL 路径、Host 名称以及客户端发送的请求' } },
  ],
};

/** 401/403: the endpoint works and wants credentials that netdx cannot know; not a fault. */
const AUTH = new Set([401, 403]);

/** What the status means, in both languages. */
function meaning(status: number): { en: string; zh: string } {
  if (status === 502) return { en: 'the proxy in front of the application got no valid answer from its upstream (bad gateway).', zh: '应用前面的代理没有从后端得到有效应答（网关错误）。' };
  if (status === 503) return { en: 'the service is unavailable (overloaded, in maintenance, or no healthy backend).', zh: '服务不可用（过载、维护中或没有健康的后端）。' };
  if (status === 504) return { en: 'the proxy in front of the application timed out waiting for its upstream.', zh: '应用前面的代理等待后端超时。' };
  if (status >= 500) return { en: 'the server failed while handling the request.', zh: '服务器处理请求时出错。' };
  if (status === 404) return { en: 'the path does not exist on this server (wrong URL, or the wrong virtual host answered).', zh: '该服务器上不存在此路径（URL 错误，或响应的是错误的虚拟主机）。' };
  if (status === 429) return { en: 'the server rate-limits this client.', zh: '服务器对本客户端限流。' };
  if (status === 407) return { en: 'a proxy on the way demands authentication.', zh: '途中的代理要求身份认证。' };
  return { en: 'the server rejects the request as sent.', zh: '服务器拒绝了所发送的请求。' };
}

const M = defineMessages('APP-002', {
  /** The meta's explanation with {server} and {meaning} told in each language (the meaning follows from the status). */
  statusWhy: msg(
    (p: { status: number; server: string | null }) => `The network, TCP and TLS work, but the HTTP endpoint answers ${p.status}${p.server ? ` (Server: ${p.server})` : ''}: ${meaning(p.status).en}`,
    (p) => `网络、TCP 与 TLS 都正常，但 HTTP 端点返回 ${p.status}${p.server ? `（Server 头：${p.server}）` : ''}：${meaning(p.status).zh}`,
  ),
  response: msg(
    (p: { url: string; status: number; server: string | null; ms: number; location: string | null }) =>
      `GET ${p.url} → ${p.status}${p.server ? ` (Server: ${p.server})` : ''} in ${p.ms} ms${p.location ? `, Location: ${p.location}` : ''}`,
    (p) => `GET ${p.url} → ${p.status}${p.server ? `（Server 头：${p.server}）` : ''}，耗时 ${p.ms} 毫秒${p.location ? `，Location：${p.location}` : ''}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const r = ofKind(ctx.observations, 'http.response').find((h) => h.data.outcome === 'response' && h.data.status !== null && h.data.status >= 400 && !AUTH.has(h.data.status));
    if (!r) return null;
    const d = r.data;
    const status = d.status!;
    const vars = { url: d.url, status, time: r.at };
    // The meta's fix for the status class, by its own id.
    const fixId = registerMetaMessages(meta).fix[status >= 500 ? 0 : 1]!;
    return makeFinding(meta, ctx, {
      vars,
      explanation: M.statusWhy({ status, server: d.server ?? null }),
      severity: status === 429 ? 'warning' : 'error',
      evidence: [
        evidence('http.response', M.response({ url: d.url, status, server: d.server ?? null, ms: Math.round(d.ms), location: d.location ?? null }), {
          url: d.url,
          status,
          server: d.server,
          ms: d.ms,
          location: d.location,
        }),
      ],
      fix: [{ summary: { id: fixId, params: vars } }],
    });
  },
};
