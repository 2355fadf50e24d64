import type { Lang } from '../model/layer.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, metaText } from './types.js';
import { responderViews } from './responder-common.js';

export const meta: RuleMeta = {
  code: 'NET-013',
  slug: 'one-way-loss',
  layer: 'network',
  severity: 'error',
  title: { en: 'Packets are lost on the {direction} path only: {lost} of {of} ({pct}%)', zh: '仅{direction}方向丢包：{of} 个中丢失 {lost} 个（{pct}%）' },
  explanation: {
    en: 'A responder next to the server counted what arrived: of {sent} packets sent, {arrived} reached the server and {answered} answers came back. The loss is on the {direction} path ({from} → {to}), the other direction loses {otherPct}%. Connections then fail or stall the way loss makes them (SYN-ACKs or data lost on the way {dirWord}), and a client-side trace cannot say in which direction.',
    zh: '服务器旁的响应端统计了到达情况：发出 {sent} 个报文，{arrived} 个到达服务器，{answered} 个应答返回。丢包发生在{direction}方向（{from} → {to}），另一方向丢包率 {otherPct}%。连接因此失败或卡顿（SYN-ACK 或数据在{dirWord}途中丢失），而仅在客户端做路径追踪无法判断是哪个方向。',
  },
  evidence: { en: 'UDP echoes sent, the count the responder received, the answers that came back.', zh: '发出的 UDP 回显数、响应端统计的到达数、返回的应答数。' },
  fix: [
    {
      summary: {
        en: 'Check the {direction} path: routers and links carrying traffic {from} → {to} (asymmetric routing sends the two directions different ways); trace from the server side too (netdx trace on the server toward {client})',
        zh: '检查{direction}路径：承载 {from} → {to} 流量的路由器和链路（非对称路由下两个方向走不同的路）；也从服务器一侧追踪（在服务器上运行 netdx trace 指向 {client}）',
      },
    },
  ],
  explains: ['NET-007', 'TCP-002', 'TLS-009'],
};

/** Loss that counts: at least MIN_LOST packets and MIN_FRACTION of them, and at least twice the other direction's. */
const MIN_LOST = 3;
const MIN_FRACTION = 0.1;

/** The case as data: the direction that loses (`ret`: server → client), the counts, the server and the client (null: not seen). */
type Case = { ret: boolean; lost: number; of: number; pct: number; otherPct: number; sent: number; arrived: number; answered: number; server: string; client: string | null };

/** The meta's placeholders in a language: the direction and its word told there. */
function words(lang: Lang, p: Case): Record<string, string | number> {
  const zh = lang === 'zh';
  const client = p.client ?? (zh ? '客户端' : 'the client');
  return {
    direction: zh ? (p.ret ? '回程（服务器 → 客户端）' : '去程（客户端 → 服务器）') : p.ret ? 'return (server → client)' : 'forward (client → server)',
    dirWord: zh ? (p.ret ? '返回' : '发送') : p.ret ? 'back' : 'out',
    lost: p.lost,
    of: p.of,
    pct: p.pct,
    otherPct: p.otherPct,
    sent: p.sent,
    arrived: p.arrived,
    answered: p.answered,
    from: p.ret ? p.server : client,
    to: p.ret ? client : p.server,
    client,
  };
}

const M = defineMessages('NET-013', {
  lossTitle: metaText(meta.title, words),
  lossWhy: metaText(meta.explanation, words),
  checkPath: metaText(meta.fix[0]!.summary, words),
  echoes: msg(
    (p: { sent: number; responder: string; arrived: number; answered: number; forwardPct: number; returnPct: number }) =>
      `${p.sent} UDP echoes sent to ${p.responder}: ${p.arrived} arrived there, ${p.answered} answers came back (forward loss ${p.forwardPct}%, return loss ${p.returnPct}%)`,
    (p) => `向 ${p.responder} 发送 ${p.sent} 个 UDP 回显：${p.arrived} 个到达，${p.answered} 个应答返回（去程丢包 ${p.forwardPct}%，回程丢包 ${p.returnPct}%）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const v of responderViews(ctx.observations)) {
      const l = v.loss;
      if (!l || l.arrived === null || l.sent === 0) continue;
      const arrived = Math.min(l.arrived, l.sent);
      const fwdLost = l.sent - arrived;
      const retLost = Math.max(0, arrived - l.answered);
      const fwd = fwdLost / l.sent;
      const ret = arrived > 0 ? retLost / arrived : 0;
      const client = v.seen?.address ?? null;
      const server = v.responder.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      const pick = retLost >= MIN_LOST && ret >= MIN_FRACTION && ret >= 2 * fwd ? 'return' : fwdLost >= MIN_LOST && fwd >= MIN_FRACTION && fwd >= 2 * ret ? 'forward' : null;
      if (!pick) continue;
      const isRet = pick === 'return';
      const c: Case = {
        ret: isRet,
        lost: isRet ? retLost : fwdLost,
        of: isRet ? arrived : l.sent,
        pct: Math.round((isRet ? ret : fwd) * 100),
        otherPct: Math.round((isRet ? fwd : ret) * 100),
        sent: l.sent,
        arrived,
        answered: l.answered,
        server,
        client,
      };
      // The meta's title, explanation and fix with the direction told in each language.
      return makeFinding(meta, ctx, {
        title: M.lossTitle(c),
        explanation: M.lossWhy(c),
        evidence: [
          evidence('responder.view', M.echoes({ sent: l.sent, responder: v.responder, arrived, answered: l.answered, forwardPct: Math.round(fwd * 100), returnPct: Math.round(ret * 100) }), {
            loss: l,
          }),
        ],
        fix: [{ summary: M.checkPath(c) }],
      });
    }
    return null;
  },
};
