import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg } from './types.js';
import { responderViews } from './responder-common.js';

export const meta: RuleMeta = {
  code: 'NET-012',
  slug: 'mss-clamped',
  layer: 'network',
  severity: 'info',
  title: { en: 'A middlebox clamps the TCP MSS: {offered} offered, {received} arrived', zh: '路径上的中间设备修改了TCP MSS：发出 {offered}，到达 {received}' },
  explanation: {
    en: "This machine's SYN offered an MSS of {offered} bytes, and the responder next to the server received {received}: a router or firewall on the path rewrites the MSS option (iptables TCPMSS, a 'clamp MSS' setting), usually because some link on the path has an MTU below {pathMtu}. Segments are then at most {received} bytes: this prevents an MTU blackhole for TCP, costs a little throughput, and does nothing for UDP or for TCP that does not pass that box.",
    zh: '本机 SYN 中的 MSS 为 {offered} 字节，而服务器旁的响应端收到的是 {received}：路径上的路由器或防火墙改写了 MSS 选项（iptables TCPMSS 或“MSS 钳制”设置），通常因为路径上某段链路的 MTU 小于 {pathMtu}。此后报文段最大为 {received} 字节：这能避免 TCP 的 MTU 黑洞，略微降低吞吐，但对 UDP 或不经过该设备的 TCP 无效。',
  },
  evidence: {
    en: "The MSS in this machine's SYN (TCP_INFO) against the MSS option of the SYN as the responder received it (TCP_SAVED_SYN).",
    zh: '本机 SYN 中的 MSS（TCP_INFO）对比响应端收到的 SYN 中的 MSS 选项（TCP_SAVED_SYN）。',
  },
  fix: [
    {
      summary: {
        en: 'Nothing to fix when the clamp matches a smaller link MTU on the path; if it is lower than needed, raise it on the router (e.g. iptables -t mangle … -j TCPMSS --clamp-mss-to-pmtu instead of a fixed --set-mss {received})',
        zh: '若钳制值与路径上较小的链路 MTU 相符则无需处理；若低于所需，在路由器上调高（例如用 iptables -t mangle … -j TCPMSS --clamp-mss-to-pmtu 代替固定的 --set-mss {received}）',
      },
    },
  ],
};

const M = defineMessages('NET-012', {
  clamped: msg(
    (p: { offered: number; responder: string; received: number; ttl: number; hops: number; options: string[] }) =>
      `SYN sent with MSS ${p.offered}; the responder ${p.responder} received MSS ${p.received} (TTL ${p.ttl}, ${p.hops} hop(s); options ${p.options.join(',')})`,
    (p) => `本机发出的 SYN 中 MSS 为 ${p.offered}；响应端 ${p.responder} 收到的 MSS 为 ${p.received}（TTL ${p.ttl}，经过 ${p.hops} 跳；TCP 选项 \`${p.options.join(',')}\`）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const v of responderViews(ctx.observations)) {
      const received = v.syn?.mss ?? null;
      if (received === null || v.offeredMss === null || received >= v.offeredMss) continue;
      const v6 = (v.seen?.address ?? '').includes(':');
      return makeFinding(meta, ctx, {
        vars: { offered: v.offeredMss, received, pathMtu: v.offeredMss + (v6 ? 60 : 40) },
        evidence: [
          evidence('responder.view', M.clamped({ offered: v.offeredMss, responder: v.responder, received, ttl: v.syn!.ttl, hops: v.syn!.hops, options: [...v.syn!.options] }), {
            offeredMss: v.offeredMss,
            syn: v.syn,
          }),
        ],
      });
    }
    return null;
  },
};
