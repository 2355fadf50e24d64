import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg } from './types.js';
import { responderViews } from './responder-common.js';

export const meta: RuleMeta = {
  code: 'NET-014',
  slug: 'return-path-mtu',
  layer: 'network',
  severity: 'error',
  title: { en: 'Packets from the server above {ok} bytes never arrive: a return-path MTU blackhole', zh: '服务器发来的大于 {ok} 字节的报文到不了：回程MTU黑洞' },
  explanation: {
    en: "A responder next to the server sent don't-fragment packets of chosen sizes back: {ok} bytes arrived, {lost} bytes did not, while this machine's own {fwd}-byte packets reached the server. Somewhere on the server → client path a link has a smaller MTU and the router does not send (or a firewall drops) 'fragmentation needed', so the server's full-size segments (certificates, downloads) vanish. The client's own PMTU test cannot see it: its packets take the other direction.",
    zh: '服务器旁的响应端按指定大小发回了禁止分片的报文：{ok} 字节的能到达，{lost} 字节的到不了，而本机发出的 {fwd} 字节报文能到达服务器。服务器 → 客户端路径上某段链路的 MTU 更小，且路由器不发送（或防火墙丢弃了）“需要分片”，于是服务器满长的报文段（证书、下载）消失。客户端自己的 PMTU 测试看不到它：它的报文走的是另一个方向。',
  },
  evidence: {
    en: 'DF datagram sizes sent by the responder and which arrived; the size of the request that reached the responder.',
    zh: '响应端发出的 DF 数据报大小及哪些到达；到达响应端的请求大小。',
  },
  fix: [
    {
      summary: {
        en: "On the server's side, clamp the MSS toward this client's network to fit {ok} bytes, or let ICMP 'fragmentation needed' through on the return path",
        zh: '在服务器一侧，将发往该客户端网络的 MSS 钳制到适合 {ok} 字节，或在回程路径上放行 ICMP“需要分片”',
      },
      command: 'iptables -t mangle -A POSTROUTING -p tcp --tcp-flags SYN,RST SYN -d {client} -j TCPMSS --set-mss {mss}',
    },
  ],
  explains: ['NET-009', 'TLS-009', 'APP-002', 'NET-007'],
};

const M = defineMessages('NET-014', {
  /** `dfNotForced`: the responder could not set DF on its datagrams. */
  datagrams: msg(
    (p: { responder: string; arrived: number[]; lost: number[]; forward: number; dfNotForced: boolean }) =>
      `DF datagrams from ${p.responder}: arrived ${p.arrived.join(', ') || 'none'}; lost ${p.lost.join(', ')}; requests of ${p.forward} bytes reached it${p.dfNotForced ? ' (DF could not be forced)' : ''}`,
    (p) => `来自 ${p.responder} 的 DF 数据报：到达 ${p.arrived.join('、') || '无'}；丢失 ${p.lost.join('、')}；本机 ${p.forward} 字节的请求能到达响应端${p.dfNotForced ? '（无法强制设置 DF）' : ''}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const v of responderViews(ctx.observations)) {
      const m = v.returnMtu;
      if (!m || m.largestOk === null || m.smallestLost === null) continue;
      // Only when the client→server direction carried more than what fails to come back.
      if (m.forwardLargest === null || m.forwardLargest < m.smallestLost) continue;
      const v6 = (v.seen?.address ?? '').includes(':');
      const client = v.seen?.address ?? '';
      return makeFinding(meta, ctx, {
        vars: { ok: m.largestOk, lost: m.smallestLost, fwd: m.forwardLargest, client, mss: m.largestOk - (v6 ? 60 : 40) },
        evidence: [
          evidence(
            'responder.view',
            M.datagrams({
              responder: v.responder,
              arrived: [...m.arrived],
              lost: m.asked.filter((s) => !m.arrived.includes(s)),
              forward: m.forwardLargest,
              dfNotForced: m.df === false,
            }),
            { returnMtu: m },
          ),
        ],
      });
    }
    return null;
  },
};
