import type { Rule, RuleMeta } from './types.js';
import { evidence, fill, makeFinding, ofKind } from './types.js';
import type { Fix } from '../model/report.js';
import { tr } from './helpers.js';

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

function meaning(status: number, lang: 'en' | 'zh'): string {
  if (status === 502) return tr(lang, 'the proxy in front of the application got no valid answer from its upstream (bad gateway).', '应用前面的代理没有从后端得到有效应答（网关错误）。');
  if (status === 503) return tr(lang, 'the service is unavailable (overloaded, in maintenance, or no healthy backend).', '服务不可用（过载、维护中或没有健康的后端）。');
  if (status === 504) return tr(lang, 'the proxy in front of the application timed out waiting for its upstream.', '应用前面的代理等待后端超时。');
  if (status >= 500) return tr(lang, 'the server failed while handling the request.', '服务器处理请求时出错。');
  if (status === 404) return tr(lang, 'the path does not exist on this server (wrong URL, or the wrong virtual host answered).', '该服务器上不存在此路径（URL 错误，或响应的是错误的虚拟主机）。');
  if (status === 429) return tr(lang, 'the server rate-limits this client.', '服务器对本客户端限流。');
  if (status === 407) return tr(lang, 'a proxy on the way demands authentication.', '途中的代理要求身份认证。');
  return tr(lang, 'the server rejects the request as sent.', '服务器拒绝了所发送的请求。');
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const r = ofKind(ctx.observations, 'http.response').find((h) => h.data.outcome === 'response' && h.data.status !== null && h.data.status >= 400 && !AUTH.has(h.data.status));
    if (!r) return null;
    const d = r.data;
    const status = d.status!;
    const fix: Fix[] = [{ summary: fill((status >= 500 ? meta.fix[0]! : meta.fix[1]!).summary[ctx.lang], { url: d.url, time: r.at }) }];
    return makeFinding(meta, ctx, {
      vars: { url: d.url, status, server: d.server ? tr(ctx.lang, ` (Server: ${d.server})`, `（Server 头：${d.server}）`) : '', meaning: meaning(status, ctx.lang), time: r.at },
      severity: status === 429 ? 'warning' : 'error',
      evidence: [
        evidence(
          'http.response',
          tr(
            ctx.lang,
            `GET ${d.url} → ${status}${d.server ? ` (Server: ${d.server})` : ''} in ${Math.round(d.ms)} ms${d.location ? `, Location: ${d.location}` : ''}`,
            `GET ${d.url} → ${status}${d.server ? `（Server 头：${d.server}）` : ''}，耗时 ${Math.round(d.ms)} 毫秒${d.location ? `，Location：${d.location}` : ''}`,
          ),
          {
            url: d.url,
            status,
            server: d.server,
            ms: d.ms,
            location: d.location,
          },
        ),
      ],
      fix,
    });
  },
};
