import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg } from './types.js';
import { hostPort, responderViews } from './responder-common.js';

export const meta: RuleMeta = {
  code: 'NET-011',
  slug: 'nat-rewrite',
  layer: 'network',
  severity: 'info',
  title: { en: 'A NAT on the path rewrites this client to {public}', zh: '路径上的NAT将本机地址改写为 {public}' },
  explanation: {
    en: 'The responder next to the server sees this connection coming from {seen}, while it left this machine as {local}: a NAT (or a load balancer in front of the server) rewrites the source. Server-side allow-lists, logs and rate limits see {public}, not {localAddress}.',
    zh: '服务器旁的响应端看到此连接来自 {seen}，而它离开本机时是 {local}：路径上的NAT（或服务器前的负载均衡器）改写了源地址。服务器端的白名单、日志和限速看到的是 {public}，而不是 {localAddress}。',
  },
  evidence: { en: "The control connection's local address and port against the source address and port the responder saw.", zh: '控制连接的本地地址与端口，对比响应端看到的源地址与端口。' },
  fix: [
    {
      summary: {
        en: 'Nothing is broken; when the server filters by client address, allow {public} (the address after NAT), not {localAddress}',
        zh: '这本身不是故障；若服务器按客户端地址过滤，应放行 NAT 之后的 {public}，而不是 {localAddress}',
      },
    },
  ],
};

const M = defineMessages('NET-011', {
  rewritten: msg(
    (p: { local: string; responder: string; seen: string; address: boolean; port: boolean }) =>
      `left as ${p.local}, arrived at the responder ${p.responder} as ${p.seen} (${p.address ? 'address' : 'port'} rewritten${p.address && p.port ? ', port too' : ''})`,
    (p) => `离开本机时为 ${p.local}，到达响应端 ${p.responder} 时为 ${p.seen}（${p.address ? (p.port ? '地址和端口均被改写' : '地址被改写') : '端口被改写'}）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const v of responderViews(ctx.observations)) {
      if (!v.local || !v.seen) continue;
      const addrChanged = v.local.address !== v.seen.address;
      const portChanged = v.local.port !== v.seen.port;
      if (!addrChanged && !portChanged) continue;
      const vars = { public: v.seen.address, seen: hostPort(v.seen), local: hostPort(v.local), localAddress: v.local.address };
      return makeFinding(meta, ctx, {
        vars,
        evidence: [
          evidence('responder.view', M.rewritten({ local: hostPort(v.local), responder: v.responder, seen: hostPort(v.seen), address: addrChanged, port: portChanged }), {
            responder: v.responder,
            local: v.local,
            seen: v.seen,
          }),
        ],
      });
    }
    return null;
  },
};
