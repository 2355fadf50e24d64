import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, metaText } from './types.js';
import type { Lang } from '../model/layer.js';

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

/** What the idle test found and the keepalive configured here (null: off). */
type Case = { aliveAfterSec: number | null; deadAfterSec: number; keepaliveSec: number | null };

/** The keepalive here in a language ('off', '25 s'). */
const keepaliveText = (lang: Lang, sec: number | null): string => (lang === 'zh' ? (sec === null ? '关闭' : `${sec} 秒`) : sec === null ? 'off' : `${sec} s`);
/** The NAT timeout: between the longest idle time that was answered and the shortest that was not. */
const natTimeout = (p: Case): string => (p.aliveAfterSec !== null ? `${p.aliveAfterSec}–${p.deadAfterSec}` : `≤ ${p.deadAfterSec}`);
/** The meta's placeholders in a language (the keepalive told, not passed). */
const words = (lang: Lang, p: Case): Record<string, string> => ({ natTimeout: natTimeout(p), keepalive: keepaliveText(lang, p.keepaliveSec) });

const M = defineMessages('VPN-007', {
  natTitle: metaText(meta.title, words),
  natWhy: metaText(meta.explanation, words),
  trials: msg(
    (p: { dev: string; address: string; idleSec: number[]; alive: number[] }) =>
      `idle test through ${p.dev} to ${p.address}: ${p.idleSec.map((t, i) => `${t} s idle → ${p.alive[i] ? 'answers' : 'silent'}`).join(', ')}`,
    (p) => `经 ${p.dev} 到 ${p.address} 的空闲测试：${p.idleSec.map((t, i) => `空闲 ${t} 秒 → ${p.alive[i] ? '有应答' : '无响应'}`).join('，')}`,
  ),
  keepalives: msg(
    (p: { keepaliveSec: number | null; peerKeepaliveSec: number | null }) =>
      `persistent keepalive here: ${keepaliveText('en', p.keepaliveSec)}; keepalive seen from the peer: ${p.peerKeepaliveSec === null ? 'none' : `every ${p.peerKeepaliveSec} s`}`,
    (p) => `本端 persistent keepalive：${keepaliveText('zh', p.keepaliveSec)}；观察到的对端保活：${p.peerKeepaliveSec === null ? '无' : `每 ${p.peerKeepaliveSec} 秒`}`,
  ),
  setHere: msg('Set the keepalive below the NAT timeout on this side', '在本端把保活间隔设置为低于 NAT 超时'),
  setPeer: msg(
    (p: { interval: number }) => `The side behind the NAT needs it most: PersistentKeepalive = ${p.interval} in its [Peer] section for this host`,
    (p) => `位于 NAT 之后的一端最需要设置：在其指向本机的 [Peer] 段中设置 PersistentKeepalive = ${p.interval}`,
  ),
});

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
      const c: Case = { aliveAfterSec: alive, deadAfterSec: dead, keepaliveSec: d.keepaliveSec };
      const interval = Math.max(1, Math.min(25, Math.floor((alive ?? dead / 2) * 0.8)));
      return makeFinding(meta, ctx, {
        vars: { natTimeout: natTimeout(c), dev: d.dev, peer: d.peer, interval },
        title: M.natTitle(c),
        explanation: M.natWhy(c),
        evidence: [
          evidence('tunnel.idle', M.trials({ dev: d.dev, address: d.address, idleSec: d.trials.map((t) => t.idleSec), alive: d.trials.map((t) => (t.alive ? 1 : 0)) }), {
            trials: d.trials,
            aliveAfterSec: alive,
            deadAfterSec: dead,
          }),
          evidence('tunnel.idle', M.keepalives({ keepaliveSec: d.keepaliveSec, peerKeepaliveSec: d.peerKeepaliveSec }), {
            keepaliveSec: d.keepaliveSec,
            peerKeepaliveSec: d.peerKeepaliveSec,
          }),
        ],
        fix: [{ summary: M.setHere(), command: `wg set ${d.dev} peer ${d.peer} persistent-keepalive ${interval}` }, { summary: M.setPeer({ interval }) }],
      });
    }
    return null;
  },
};
