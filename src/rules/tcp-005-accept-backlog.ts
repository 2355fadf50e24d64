import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind, ruleMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-005',
  slug: 'accept-backlog',
  layer: 'transport',
  severity: 'error',
  title: { en: "{address}:{port} drops SYNs: the server's listen queue overflows", zh: '{address}:{port} 连接队列溢出/SYN Flood防护' },
  explanation: {
    en: "Under {parallel} parallel connects, {dropped} of the SYNs to {address}:{port} were dropped and those connections completed only after SYN retransmission (about 1 s, 3 s). The server's accept queue (listen backlog) is full, or SYN-flood protection drops new connections: the application does not accept fast enough.",
    zh: '在 {parallel} 个并发连接下，发往 {address}:{port} 的 SYN 有 {dropped} 个被丢弃，这些连接要等 SYN 重传（约 1 秒、3 秒）后才建立。服务器的 accept 队列（listen backlog）已满，或 SYN Flood 防护丢弃了新连接：应用 accept 得不够快。',
  },
  evidence: { en: 'The connect-time distribution under N parallel connects: clusters at the SYN retransmission times.', zh: 'N 个并发连接的建连耗时分布：集中在 SYN 重传时间点附近。' },
  fix: [
    { summary: { en: 'On the server, raise the listen backlog (the application\'s listen() backlog and the kernel limits)', zh: '在服务器上调大监听队列（应用 listen() 的 backlog 以及内核上限）' }, command: 'sysctl -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=8192' },
  ],
  implemented: true,
  issue: 5,
  explains: ['APP-002'],
  messages: {
    connects: { en: '{parallel} parallel connects to {address}:{port}: {first} within {firstMs} ms, {at1s} at ~1 s, {at3s} at ~3 s, {failed} failed; slow ones (ms): {slow}', zh: '并发 {parallel} 个到 {address}:{port} 的连接：{first} 个在 {firstMs} 毫秒内完成，{at1s} 个在约 1 秒时完成，{at3s} 个在约 3 秒时完成，{failed} 个失败；慢连接耗时（毫秒）：{slow}' },
  },
};

const m = ruleMessages(meta);

/** Retried connects needed before the queue is blamed: at least 2 and 5% of the connects. */
const MIN_RETRIED = 2;
const MIN_FRACTION = 0.05;

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const o of ofKind(ctx.observations, 'tcp.backlog')) {
      const d = o.data;
      const c = d.clusters;
      // Dropped SYNs show up as connects at the retransmission times; spread-out slow connects are something else.
      const atRetransmit = c.at1s + c.at3s;
      if (atRetransmit < MIN_RETRIED || atRetransmit < MIN_FRACTION * d.parallel || c.first === 0) continue;
      const show = (xs: number[]): string => xs.map((x) => String(Math.round(x))).join(', ');
      return makeFinding(meta, ctx, {
        vars: { address: d.address, port: d.port, parallel: d.parallel, dropped: atRetransmit },
        evidence: [
          evidence(
            'tcp.backlog',
            m('connects', { parallel: d.parallel, address: d.address, port: d.port, first: c.first, firstMs: Math.round(d.connectMs[c.first - 1] ?? 0), at1s: c.at1s, at3s: c.at3s, failed: d.failed, slow: show(d.connectMs.slice(c.first, c.first + 12)) }),
            { parallel: d.parallel, clusters: c, connectMs: d.connectMs },
          ),
        ],
      });
    }
    return null;
  },
};
