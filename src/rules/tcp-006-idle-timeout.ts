import type { Rule, RuleMeta } from './types.js';
import { formatHostPort } from '../model/target.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, registerMetaMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-006',
  slug: 'idle-timeout',
  layer: 'transport',
  severity: 'error',
  title: { en: 'Idle connections to {address}:{port} are dropped after about {idleSec} s', zh: '到 {address}:{port} 的空闲连接被回收/Keepalive不匹配（约 {idleSec} 秒）' },
  explanation: {
    en: 'A connection to {address}:{port} left idle was still alive after {aliveSec} s but dead after {deadSec} s: a NAT, firewall or the peer forgets idle connections after about {idleSec} s, which is shorter than the keepalive interval ({keepaliveSec} s), so the next packet meets a reset or silence.',
    zh: '到 {address}:{port} 的连接空闲 {aliveSec} 秒后仍然存活，空闲 {deadSec} 秒后已失效：NAT、防火墙或对端在约 {idleSec} 秒后回收空闲连接，短于保活间隔（{keepaliveSec} 秒），之后的报文只会遇到重置或石沉大海。',
  },
  evidence: { en: 'The idle-hold test: alive after t1, dead after t2, and the keepalive settings in use.', zh: '空闲保持测试：t1 后存活、t2 后失效，以及当前的保活设置。' },
  fix: [
    {
      summary: {
        en: 'Send keepalives more often than every {idleSec} s (kernel default for sockets with SO_KEEPALIVE, or the application setting)',
        zh: '让保活间隔短于 {idleSec} 秒（开启 SO_KEEPALIVE 的套接字使用内核设置，或修改应用自身的心跳设置）',
      },
      command: 'sysctl -w net.ipv4.tcp_keepalive_time={keepaliveTarget}',
    },
    { summary: { en: 'Or raise the idle timeout of the NAT/firewall above the keepalive interval', zh: '或者将 NAT/防火墙的空闲超时调到大于保活间隔' } },
  ],
  explains: ['APP-001'],
};

/** Keepalive idle time that stays safely below an observed timeout (s). */
export const keepaliveBelow = (aliveSec: number): number => Math.max(1, Math.floor(aliveSec * 0.8));

const OUTCOME_TEXT: Record<string, string> = { alive: 'alive', reset: 'reset', silent: 'no acknowledgement', closed: 'closed by the peer', 'not-tested': 'not tested' };
const OUTCOME_TEXT_ZH: Record<string, string> = { alive: '仍存活', reset: '被重置', silent: '无确认', closed: '被对端关闭', 'not-tested': '未测试' };

const M = defineMessages('TCP-006', {
  /** The idle holds, index for index: idle seconds and outcome. */
  holds: msg(
    (p: { count: number; dst: string; idleSecs: number[]; outcomes: string[] }) =>
      `${p.count} connections to ${p.dst} held idle in parallel: ${p.idleSecs.map((sec, i) => `${sec} s ${OUTCOME_TEXT[p.outcomes[i]!]}`).join(', ')}`,
    (p) => `并行保持 ${p.count} 个到 ${p.dst} 的空闲连接：${p.idleSecs.map((sec, i) => `空闲 ${sec} 秒 ${OUTCOME_TEXT_ZH[p.outcomes[i]!]}`).join('，')}`,
  ),
  keepalive: msg(
    (p: { timeSec: number | null; intvlSec: number | null; probes: number | null }) =>
      `kernel keepalive: tcp_keepalive_time ${p.timeSec ?? '?'} s, tcp_keepalive_intvl ${p.intvlSec ?? '?'} s, tcp_keepalive_probes ${p.probes ?? '?'}`,
    (p) => `内核 keepalive：tcp_keepalive_time ${p.timeSec ?? '?'} 秒，tcp_keepalive_intvl ${p.intvlSec ?? '?'} 秒，tcp_keepalive_probes ${p.probes ?? '?'}`,
  ),
  perSocket: msg(
    (p: { idle: number; intvl: number; count: number }) => `Or per socket in the application: SO_KEEPALIVE=1, TCP_KEEPIDLE=${p.idle}, TCP_KEEPINTVL=${p.intvl}, TCP_KEEPCNT=${p.count}`,
    (p) => `或在应用中按套接字设置：SO_KEEPALIVE=1、TCP_KEEPIDLE=${p.idle}、TCP_KEEPINTVL=${p.intvl}、TCP_KEEPCNT=${p.count}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const o of ofKind(ctx.observations, 'tcp.idle')) {
      const d = o.data;
      if (d.deadSec === null) continue;
      const alive = d.aliveSec ?? 0;
      const target = keepaliveBelow(Math.max(1, alive));
      const intvl = Math.max(1, Math.min(d.keepalive.intvlSec ?? 75, Math.floor(target / 3) || 1));
      const vars = {
        address: d.address,
        port: d.port,
        aliveSec: alive,
        deadSec: d.deadSec,
        idleSec: Math.round(((alive + d.deadSec) / 2) * 10) / 10,
        keepaliveSec: d.keepalive.timeSec ?? 7200,
        keepaliveTarget: target,
      };
      const tested = d.holds.filter((h) => h.outcome !== 'not-tested');
      const fixIds = registerMetaMessages(meta).fix;
      return makeFinding(meta, ctx, {
        vars,
        evidence: [
          evidence('tcp.idle', M.holds({ count: tested.length, dst: formatHostPort(d.address, d.port), idleSecs: tested.map((h) => h.idleSec), outcomes: tested.map((h) => h.outcome) }), {
            holds: d.holds,
            aliveSec: d.aliveSec,
            deadSec: d.deadSec,
          }),
          evidence('tcp.idle', M.keepalive({ timeSec: d.keepalive.timeSec ?? null, intvlSec: d.keepalive.intvlSec ?? null, probes: d.keepalive.probes ?? null }), { keepalive: d.keepalive }),
        ],
        // The meta's fixes by their own ids (the first with a command that also sets the interval), the per-socket settings between them.
        fix: [
          { summary: { id: fixIds[0]!, params: vars }, command: `sysctl -w net.ipv4.tcp_keepalive_time=${target} net.ipv4.tcp_keepalive_intvl=${intvl}` },
          { summary: M.perSocket({ idle: target, intvl, count: d.keepalive.probes ?? 9 }) },
          { summary: { id: fixIds[1]!, params: vars } },
        ],
      });
    }
    return null;
  },
};
