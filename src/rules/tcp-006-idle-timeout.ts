import type { Rule, RuleMeta } from './types.js';
import { evidence, fill, makeFinding, ofKind } from './types.js';
import { tr } from './helpers.js';

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
      return makeFinding(meta, ctx, {
        vars,
        evidence: [
          evidence(
            'tcp.idle',
            tr(
              ctx.lang,
              `${tested.length} connections to ${d.address}:${d.port} held idle in parallel: ${tested.map((h) => `${h.idleSec} s ${OUTCOME_TEXT[h.outcome]}`).join(', ')}`,
              `并行保持 ${tested.length} 个到 ${d.address}:${d.port} 的空闲连接：${tested.map((h) => `空闲 ${h.idleSec} 秒 ${OUTCOME_TEXT_ZH[h.outcome]}`).join('，')}`,
            ),
            {
              holds: d.holds,
              aliveSec: d.aliveSec,
              deadSec: d.deadSec,
            },
          ),
          evidence(
            'tcp.idle',
            tr(
              ctx.lang,
              `kernel keepalive: tcp_keepalive_time ${d.keepalive.timeSec ?? '?'} s, tcp_keepalive_intvl ${d.keepalive.intvlSec ?? '?'} s, tcp_keepalive_probes ${d.keepalive.probes ?? '?'}`,
              `内核 keepalive：tcp_keepalive_time ${d.keepalive.timeSec ?? '?'} 秒，tcp_keepalive_intvl ${d.keepalive.intvlSec ?? '?'} 秒，tcp_keepalive_probes ${d.keepalive.probes ?? '?'}`,
            ),
            { keepalive: d.keepalive },
          ),
        ],
        fix: [
          { summary: fill(meta.fix[0]!.summary[ctx.lang], vars), command: `sysctl -w net.ipv4.tcp_keepalive_time=${target} net.ipv4.tcp_keepalive_intvl=${intvl}` },
          {
            summary: tr(
              ctx.lang,
              `Or per socket in the application: SO_KEEPALIVE=1, TCP_KEEPIDLE=${target}, TCP_KEEPINTVL=${intvl}, TCP_KEEPCNT=${d.keepalive.probes ?? 9}`,
              `或在应用中按套接字设置：SO_KEEPALIVE=1、TCP_KEEPIDLE=${target}、TCP_KEEPINTVL=${intvl}、TCP_KEEPCNT=${d.keepalive.probes ?? 9}`,
            ),
          },
          { summary: fill(meta.fix[1]!.summary[ctx.lang], vars) },
        ],
      });
    }
    return null;
  },
};
