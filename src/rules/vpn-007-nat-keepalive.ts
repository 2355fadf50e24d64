import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import { tr } from './helpers.js';

export const meta: RuleMeta = {
  code: 'VPN-007',
  slug: 'nat-keepalive',
  layer: 'tunnel',
  severity: 'error',
  title: {
    en: 'A NAT forgets the tunnel’s UDP mapping after {natTimeout} s, but the keepalive is {keepalive}',
    zh: 'NAT映射超时/保活间隔过长：路径上的 NAT 在 {natTimeout} 秒后遗忘隧道的 UDP 映射，而保活间隔为 {keepalive}',
  },
  explanation: {
    en: 'The tunnel works, then goes silent after being idle: a NAT on the path drops the UDP mapping after about {natTimeout} s, before the next keepalive ({keepalive}). Replies from the server then have nowhere to go until the client sends again.',
    zh: '隧道能用，但空闲一段时间后就不通了：路径上的 NAT 大约 {natTimeout} 秒后删除 UDP 映射，早于下一次保活（{keepalive}）。此后服务器的回包无处可去，直到客户端再次发送数据。',
  },
  evidence: { en: 'The NAT idle timeout found by the idle test against the configured persistent keepalive.', zh: '空闲测试测得的 NAT 空闲超时与配置的持久保活间隔对比。' },
  fix: [{ summary: { en: 'Set the keepalive below the NAT timeout', zh: '把保活间隔设置为低于 NAT 超时' }, command: 'wg set {dev} peer {peer} persistent-keepalive {interval}' }],
  explains: ['TCP-006', 'APP-001'],
};

/**
 * The idle test found the tunnel silent after t idle seconds while it answered after a shorter
 * idle time, and neither side's keepalive comes often enough to keep the NAT mapping.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { data: d } of ofKind(ctx.observations, 'tunnel.idle')) {
      if (d.deadAfterSec === null) continue;
      const dead = d.deadAfterSec;
      const keepalives = [d.keepaliveSec, d.peerKeepaliveSec].filter((k): k is number => k !== null && k > 0);
      if (keepalives.some((k) => k < dead)) continue;
      const alive = d.aliveAfterSec;
      const natTimeout = alive !== null ? `${alive}–${dead}` : `≤ ${dead}`;
      const interval = Math.max(1, Math.min(25, Math.floor((alive ?? dead / 2) * 0.8)));
      const keepalive = d.keepaliveSec === null ? tr(ctx.lang, 'off', '关闭') : tr(ctx.lang, `${d.keepaliveSec} s`, `${d.keepaliveSec} 秒`);
      return makeFinding(meta, ctx, {
        vars: { natTimeout, keepalive, dev: d.dev, peer: d.peer, interval },
        evidence: [
          evidence(
            'tunnel.idle',
            tr(
              ctx.lang,
              `idle test through ${d.dev} to ${d.address}: ${d.trials.map((t) => `${t.idleSec} s idle → ${t.alive ? 'answers' : 'silent'}`).join(', ')}`,
              `经 ${d.dev} 到 ${d.address} 的空闲测试：${d.trials.map((t) => `空闲 ${t.idleSec} 秒 → ${t.alive ? '有应答' : '无响应'}`).join('，')}`,
            ),
            {
              trials: d.trials,
              aliveAfterSec: alive,
              deadAfterSec: dead,
            },
          ),
          evidence(
            'tunnel.idle',
            tr(
              ctx.lang,
              `persistent keepalive here: ${keepalive}; keepalive seen from the peer: ${d.peerKeepaliveSec === null ? 'none' : `every ${d.peerKeepaliveSec} s`}`,
              `本端 persistent keepalive：${keepalive}；观察到的对端保活：${d.peerKeepaliveSec === null ? '无' : `每 ${d.peerKeepaliveSec} 秒`}`,
            ),
            {
              keepaliveSec: d.keepaliveSec,
              peerKeepaliveSec: d.peerKeepaliveSec,
            },
          ),
        ],
        fix: [
          {
            summary: tr(ctx.lang, `Set the keepalive below the NAT timeout on this side`, `在本端把保活间隔设置为低于 NAT 超时`),
            command: `wg set ${d.dev} peer ${d.peer} persistent-keepalive ${interval}`,
          },
          {
            summary: tr(
              ctx.lang,
              `The side behind the NAT needs it most: PersistentKeepalive = ${interval} in its [Peer] section for this host`,
              `位于 NAT 之后的一端最需要设置：在其指向本机的 [Peer] 段中设置 PersistentKeepalive = ${interval}`,
            ),
          },
        ],
      });
    }
    return null;
  },
};
