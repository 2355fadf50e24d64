import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { sameIp, said, sedEscape } from './helpers.js';

export const meta: RuleMeta = {
  code: 'DNS-006',
  slug: 'slow-resolver',
  layer: 'dns',
  severity: 'warning',
  title: { en: 'The first resolver {dead} times out; every lookup waits {timeout} s for {good}', zh: '首选DNS超时：{dead} 无应答，每次解析都要等待 {timeout} 秒后才改用 {good}' },
  explanation: {
    en: 'The resolver {dead} comes before {good} in {source} but does not answer, so the system resolver waits the full timeout ({timeout} s, `options timeout`) on every lookup before it tries {good}. Names resolve, only slowly: connects and page loads take seconds longer.',
    zh: '{source} 中 {dead} 排在 {good} 之前，但它没有应答，系统解析器每次都要等满超时时间（{timeout} 秒，即 `options timeout`）才会尝试 {good}。域名能解析，只是很慢：建立连接、打开页面都要多花数秒。',
  },
  evidence: {
    en: 'The resolver order and `options timeout` of resolv.conf, and the outcome and latency of each server.',
    zh: 'resolv.conf 中的服务器顺序与 `options timeout`，以及每个服务器的应答结果与延迟。',
  },
  fix: [
    {
      summary: {
        en: 'Remove the dead resolver {dead} from {source} (if a network manager writes the file, remove it there instead)',
        zh: '从 {source} 中删除失效的解析服务器 {dead}（若该文件由网络管理工具生成，请在该工具中删除）',
      },
      command: "sed -i '/^[[:space:]]*nameserver[[:space:]]\\+{deadRe}[[:space:]]*$/d' {source}",
    },
    { summary: { en: 'Or move {good} to the first place', zh: '或者把 {good} 调整到第一位' } },
  ],
};

const M = defineMessages('DNS-006', {
  config: msg(
    (p: { source: string; nameservers: string[]; timeoutSec: number; attempts: number }) =>
      `${p.source}: nameserver order ${p.nameservers.join(', ')}; options timeout:${p.timeoutSec} attempts:${p.attempts}`,
    (p) => `${p.source}：nameserver 顺序 ${p.nameservers.join('、')}；\`options timeout:${p.timeoutSec} attempts:${p.attempts}\``,
  ),
  /** One server's queries, index for index: record type, outcome, rcode ('' when none), time. */
  serverQueries: msg(
    (p: { server: string; qtypes: string[]; outcomes: string[]; rcodes: string[]; ms: number[] }) =>
      `${p.server}: ${p.qtypes.map((t, i) => `${t} ${p.outcomes[i]}${p.rcodes[i] ? ` ${p.rcodes[i]}` : ''} in ${p.ms[i]} ms`).join(', ')}`,
    (p) => `${p.server}：${p.qtypes.map((t, i) => `${t} ${said('zh', p.outcomes[i] ?? '')}${p.rcodes[i] ? ` ${p.rcodes[i]}` : ''}（${p.ms[i]} 毫秒）`).join('，')}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const cfg = ofKind(ctx.observations, 'dns.config')[0];
    if (!cfg || cfg.data.rotate) return null; // with `rotate` there is no fixed first server
    const queries = ofKind(ctx.observations, 'dns.query');
    const order = cfg.data.nameservers;
    const status = order.map((s) => {
      const qs = queries.filter((q) => sameIp(q.data.server, s));
      return { server: s, qs, dead: qs.length > 0 && qs.every((q) => q.data.outcome === 'timeout'), answers: qs.some((q) => q.data.outcome === 'answer') };
    });
    const goodIdx = status.findIndex((s) => s.answers);
    if (goodIdx <= 0) return null;
    const dead = status.slice(0, goodIdx).find((s) => s.dead);
    if (!dead) return null;
    const good = status[goodIdx]!;
    return makeFinding(meta, ctx, {
      vars: { dead: dead.server, deadRe: sedEscape(dead.server), good: good.server, timeout: cfg.data.timeoutSec, source: cfg.data.source },
      evidence: [
        evidence('dns.config', M.config({ source: cfg.data.source, nameservers: order, timeoutSec: cfg.data.timeoutSec, attempts: cfg.data.attempts }), {
          nameservers: order,
          timeoutSec: cfg.data.timeoutSec,
          attempts: cfg.data.attempts,
        }),
        ...status
          .filter((s) => s.qs.length > 0)
          .map((s) =>
            evidence(
              'dns.query',
              M.serverQueries({
                server: s.server,
                qtypes: s.qs.map((q) => q.data.qtype),
                outcomes: s.qs.map((q) => q.data.outcome),
                rcodes: s.qs.map((q) => q.data.rcode ?? ''),
                ms: s.qs.map((q) => Math.round(q.data.ms)),
              }),
              {
                server: s.server,
                outcomes: s.qs.map((q) => ({ qtype: q.data.qtype, outcome: q.data.outcome, ms: q.data.ms })),
              },
            ),
          ),
      ],
    });
  },
};
