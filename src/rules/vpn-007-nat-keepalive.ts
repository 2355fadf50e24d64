import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind, ruleMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'VPN-007',
  slug: 'nat-keepalive',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'A NAT forgets the tunnel’s UDP mapping after {natTimeout} s, but the keepalive is {keepalive}', zh: 'NAT映射超时/保活间隔过长：路径上的 NAT 在 {natTimeout} 秒后遗忘隧道的 UDP 映射，而保活间隔为 {keepalive}' },
  explanation: {
    en: 'The tunnel works, then goes silent after being idle: a NAT on the path drops the UDP mapping after about {natTimeout} s, before the next keepalive ({keepalive}). Replies from the server then have nowhere to go until the client sends again.',
    zh: '隧道能用，但空闲一段时间后就不通了：路径上的 NAT 大约 {natTimeout} 秒后删除 UDP 映射，早于下一次保活（{keepalive}）。此后服务器的回包无处可去，直到客户端再次发送数据。',
  },
  evidence: { en: 'The NAT idle timeout found by the idle test against the configured persistent keepalive.', zh: '空闲测试测得的 NAT 空闲超时与配置的持久保活间隔对比。' },
  fix: [
    { summary: { en: 'Set the keepalive below the NAT timeout', zh: '把保活间隔设置为低于 NAT 超时' }, command: 'wg set {dev} peer {peer} persistent-keepalive {interval}' },
  ],
  implemented: true,
  issue: 7,
  explains: ['TCP-006', 'APP-001'],
  messages: {
    off: { en: 'off', zh: '关闭' },
    sec: { en: '{n} s', zh: '{n} 秒' },
    trials: { en: 'idle test through {dev} to {address}: {trials}', zh: '经 {dev} 到 {address} 的空闲测试：{trials}' },
    trialAlive: { en: '{sec} s idle → answers', zh: '空闲 {sec} 秒 → 有应答' },
    trialSilent: { en: '{sec} s idle → silent', zh: '空闲 {sec} 秒 → 无响应' },
    keepalive: { en: 'persistent keepalive here: {here}; keepalive seen from the peer: {peer}', zh: '本端 persistent keepalive：{here}；对端保活：{peer}' },
    none: { en: 'none', zh: '无' },
    every: { en: 'every {n} s', zh: '每 {n} 秒' },
    setHere: { en: 'Set the keepalive below the NAT timeout on this side', zh: '在本端把保活间隔设置为低于 NAT 超时' },
    behindNat: { en: 'The side behind the NAT needs it most: PersistentKeepalive = {interval} in its [Peer] section for this host', zh: '位于 NAT 之后的一端最需要设置：在其指向本机的 [Peer] 段中设置 PersistentKeepalive = {interval}' },
  },
};

const m = ruleMessages(meta);

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
      const keepalive = d.keepaliveSec === null ? m('off') : m('sec', { n: d.keepaliveSec });
      return makeFinding(meta, ctx, {
        vars: { natTimeout, keepalive, dev: d.dev, peer: d.peer, interval },
        evidence: [
          evidence('tunnel.idle', m('trials', { dev: d.dev, address: d.address, trials: d.trials.map((t) => m(t.alive ? 'trialAlive' : 'trialSilent', { sec: t.idleSec })) }), { trials: d.trials, aliveAfterSec: alive, deadAfterSec: dead }),
          evidence('tunnel.idle', m('keepalive', { here: keepalive, peer: d.peerKeepaliveSec === null ? m('none') : m('every', { n: d.peerKeepaliveSec }) }), { keepaliveSec: d.keepaliveSec, peerKeepaliveSec: d.peerKeepaliveSec }),
        ],
        fix: [
          { summary: m('setHere'), command: `wg set ${d.dev} peer ${d.peer} persistent-keepalive ${interval}` },
          { summary: m('behindNat', { interval }) },
        ],
      });
    }
    return null;
  },
};
