import type { Rule, RuleContext, RuleMeta } from './types.js';
import { formatHostPort } from '../model/target.js';
import type { Finding } from '../model/report.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, registerMetaMessages } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-005',
  slug: 'accept-backlog',
  layer: 'transport',
  severity: 'error',
  title: { en: "{address}:{port} drops SYNs: the server's listen queue overflows", zh: '{address}:{port} 连接队列溢出/SYN Flood防护' },
  explanation: {
    en: "Under {parallel} parallel connects, {dropped} of the SYNs to {address}:{port} were dropped and those connections completed only after SYN retransmission (about 1 s, 3 s). The server's accept queue (listen backlog) is full, or SYN-flood protection drops new connections: the application does not accept fast enough.",
    zh: '在 {parallel} 个并发连接下，发往 {address}:{port} 的 SYN 有 {dropped} 个被丢弃，这些连接要等 SYN 重传（约 1 秒、3 秒）后才建立。服务器的 accept 队列（即 listen() 的 backlog）已满，或 SYN Flood 防护丢弃了新连接：应用 accept 得不够快。',
  },
  evidence: { en: 'The connect-time distribution under N parallel connects: clusters at the SYN retransmission times.', zh: 'N 个并发连接的建连耗时分布：集中在 SYN 重传时间点附近。' },
  fix: [
    {
      summary: { en: "On the server, raise the listen backlog (the application's listen() backlog and the kernel limits)", zh: '在服务器上调大监听队列（应用 listen() 的 backlog 以及内核上限）' },
      command: 'sysctl -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=8192',
    },
  ],
  explains: ['APP-002'],
};

/** Connect times (ms, rounded) as a list; '—' when there is none. */
const times = (ms: number[]): string => ms.map(String).join(', ') || '—';

const M = defineMessages('TCP-005', {
  stuckTitle: msg(
    (p: { address: string; port: number; connected: number; parallel: number; failed: number }) =>
      `${formatHostPort(p.address, p.port)} completed ${p.connected} of ${p.parallel} parallel connects; ${p.failed} got no answer: the server's listen queue is full`,
    (p) => `${formatHostPort(p.address, p.port)} 连接队列溢出：${p.parallel} 个并发连接只建立了 ${p.connected} 个，${p.failed} 个无应答`,
  ),
  /** `openBefore`: a connect to the same port had completed before the test (else the first ones completed at once). */
  stuckWhy: msg(
    (p: { parallel: number; connected: number; within: number; failed: number; secs: number; openBefore: boolean }) =>
      `Of ${p.parallel} connects made at once, ${p.connected} completed${p.connected > 0 ? ` (the last after ${p.within} ms)` : ''} and ${p.failed} got no SYN-ACK at all within ${p.secs} s, even after SYN retransmission, while ${p.openBefore ? 'a connect to the same port had just completed' : 'the first ones completed at once'}. A firewall would drop them all; a server whose application no longer calls accept() (hung, blocked, overloaded) fills its listen queue, and the kernel then drops every new SYN silently.`,
    (p) =>
      `同时发起的 ${p.parallel} 个连接中，${p.connected} 个建立成功${p.connected > 0 ? `（最后一个耗时 ${p.within} 毫秒）` : ''}，${p.failed} 个在 ${p.secs} 秒内即使经过 SYN 重传也没有收到 SYN-ACK；而${p.openBefore ? '刚才到同一端口的连接是成功的' : '最先的几个连接立即建立'}。防火墙会把它们全部丢弃；而应用不再调用 accept()（卡死、阻塞、过载）的服务器会占满监听队列，内核随后静默丢弃所有新的 SYN。`,
  ),
  stuckConnects: msg(
    (p: { parallel: number; dst: string; connected: number; within: number; failed: number; secs: number; connectMs: number[] }) =>
      `${p.parallel} parallel connects to ${p.dst}: ${p.connected} completed${p.connected > 0 ? ` (within ${p.within} ms)` : ''}, ${p.failed} never answered within ${p.secs} s; connect times (ms): ${times(p.connectMs)}`,
    (p) =>
      `并发 ${p.parallel} 个到 ${p.dst} 的连接：${p.connected} 个建立成功${p.connected > 0 ? `（${p.within} 毫秒内）` : ''}，${p.failed} 个在 ${p.secs} 秒内始终无应答；建连耗时（毫秒）：${times(p.connectMs)}`,
  ),
  checkAccept: msg(
    (p: { port: number }) => `On the server, see whether the process behind port ${p.port} still accepts: Recv-Q (connections waiting) at Send-Q (the backlog) means it does not`,
    (p) => `在服务器上检查端口 ${p.port} 背后的进程是否还在 accept：Recv-Q（等待的连接）等于 Send-Q（backlog）说明它已不再 accept`,
  ),
  /** The clusters of connect times; `slow` the first slow connects (ms). */
  clusters: msg(
    (p: { parallel: number; dst: string; first: number; firstMs: number; at1s: number; at3s: number; failed: number; slow: number[] }) =>
      `${p.parallel} parallel connects to ${p.dst}: ${p.first} within ${p.firstMs} ms, ${p.at1s} at ~1 s, ${p.at3s} at ~3 s, ${p.failed} failed; slow ones (ms): ${p.slow.map(String).join(', ')}`,
    (p) =>
      `并发 ${p.parallel} 个到 ${p.dst} 的连接：${p.first} 个在 ${p.firstMs} 毫秒内完成，${p.at1s} 个在约 1 秒时完成，${p.at3s} 个在约 3 秒时完成，${p.failed} 个失败；慢连接耗时（毫秒）：${p.slow.map(String).join('、')}`,
  ),
  suspectedTitle: msg(
    (p: { address: string; port: number }) => `${formatHostPort(p.address, p.port)} accepted a connection, then dropped every further SYN: its listen queue looks full (suspected)`,
    (p) => `${formatHostPort(p.address, p.port)} 疑似连接队列已满：一个连接建立后，之后的 SYN 全部被丢弃`,
  ),
  suspectedWhy: msg(
    (p: { target: string; lost: number; received: number; sent: number }) =>
      `The connect to ${p.target} completed, but the ${p.lost} SYNs sent right after it to the same port from other source ports got no answer, while the host answers ping (${p.received}/${p.sent}). A firewall that drops the port would have dropped the first connect too. A server whose application stopped calling accept() fills its listen queue, and the kernel then drops new SYNs silently: the next clients see a "filtered" port. Confirm with a backlog test (netdx diagnose ${p.target} --backlog 50).`,
    (p) =>
      `到 ${p.target} 的连接建立成功，但随后从其他源端口发往同一端口的 ${p.lost} 个 SYN 都没有应答，而该主机能 ping 通（${p.received}/${p.sent}）。如果是防火墙丢弃该端口，第一个连接也会被丢弃。应用不再调用 accept() 的服务器会占满监听队列，内核随后静默丢弃新的 SYN：之后的客户端看到的就是一个"被过滤"的端口。可用并发连接测试确认（netdx diagnose ${p.target} --backlog 50）。`,
  ),
  connectOpen: msg(
    (p: { target: string }) => `TCP ${p.target}: open`,
    (p) => `TCP ${p.target}：连接成功`,
  ),
  spread: msg(
    (p: { target: string; flows: number; answered: number; lost: number }) => `SYNs to ${p.target} from ${p.flows} source ports right after: ${p.answered} answered, ${p.lost} lost`,
    (p) => `随后从 ${p.flows} 个源端口向 ${p.target} 发送 SYN：${p.answered} 个有应答，${p.lost} 个丢失`,
  ),
  ping: msg(
    (p: { address: string; received: number; sent: number }) => `ping ${p.address}: ${p.received}/${p.sent} answered`,
    (p) => `ping ${p.address}：${p.received}/${p.sent} 有应答`,
  ),
  confirmBacklog: msg('Confirm with a backlog test', '用并发连接测试确认'),
  checkAcceptShort: msg(
    (p: { port: number }) => `On the server, see whether the process behind port ${p.port} still accepts: Recv-Q at Send-Q means it does not`,
    (p) => `在服务器上检查端口 ${p.port} 背后的进程是否还在 accept：Recv-Q 等于 Send-Q 说明它已不再 accept`,
  ),
});

/** Retried connects needed before the queue is blamed: at least 2 and 5% of the connects. */
const MIN_RETRIED = 2;
const MIN_FRACTION = 0.05;

const sameAddr = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export const rule: Rule = {
  meta,
  check(ctx) {
    const openBefore = (address: string, port: number): boolean =>
      ofKind(ctx.observations, 'tcp.connect').some((t) => sameAddr(t.data.address, address) && t.data.port === port && t.data.outcome === 'open');
    for (const o of ofKind(ctx.observations, 'tcp.backlog')) {
      const d = o.data;
      const c = d.clusters;
      // A server that stopped accepting: a few connects complete (the queue's last places), the rest
      // never do, while a connect to the same port had completed (so no firewall drops the port).
      const stuck = d.failed >= MIN_RETRIED && d.failed >= MIN_FRACTION * d.parallel && (c.first > 0 || openBefore(d.address, d.port));
      if (stuck) {
        const secs = Math.round(o.ms / 100) / 10;
        const within = d.connected > 0 ? Math.round(d.connectMs[d.connected - 1] ?? 0) : 0;
        return makeFinding(meta, ctx, {
          vars: { address: d.address, port: d.port, parallel: d.parallel, dropped: d.failed },
          title: M.stuckTitle({ address: d.address, port: d.port, connected: d.connected, parallel: d.parallel, failed: d.failed }),
          explanation: M.stuckWhy({ parallel: d.parallel, connected: d.connected, within, failed: d.failed, secs, openBefore: openBefore(d.address, d.port) }),
          evidence: [
            evidence(
              'tcp.backlog',
              M.stuckConnects({
                parallel: d.parallel,
                dst: formatHostPort(d.address, d.port),
                connected: d.connected,
                within,
                failed: d.failed,
                secs,
                connectMs: d.connectMs.map((x) => Math.round(x)),
              }),
              { parallel: d.parallel, connected: d.connected, failed: d.failed, clusters: c, connectMs: d.connectMs, ms: Math.round(o.ms) },
            ),
          ],
          fix: [
            { summary: M.checkAccept({ port: d.port }), command: `ss -ltn 'sport = :${d.port}'` },
            // The meta's fix by its own id.
            { summary: { id: registerMetaMessages(meta).fix[0]!, params: {} }, command: meta.fix[0]!.command! },
          ],
        });
      }
      // Dropped SYNs show up as connects at the retransmission times; spread-out slow connects are something else.
      const atRetransmit = c.at1s + c.at3s;
      if (atRetransmit < MIN_RETRIED || atRetransmit < MIN_FRACTION * d.parallel || c.first === 0) continue;
      return makeFinding(meta, ctx, {
        vars: { address: d.address, port: d.port, parallel: d.parallel, dropped: atRetransmit },
        evidence: [
          evidence(
            'tcp.backlog',
            M.clusters({
              parallel: d.parallel,
              dst: formatHostPort(d.address, d.port),
              first: c.first,
              firstMs: Math.round(d.connectMs[c.first - 1] ?? 0),
              at1s: c.at1s,
              at3s: c.at3s,
              failed: d.failed,
              slow: d.connectMs.slice(c.first, c.first + 12).map((x) => Math.round(x)),
            }),
            { parallel: d.parallel, clusters: c, connectMs: d.connectMs },
          ),
        ],
      });
    }
    // Without a backlog test: one connect completed, then every SYN of the flow spread to the same
    // port went unanswered while the host answers ping. A firewall would have dropped the connect
    // too: the listen queue is the suspect (confirm with --backlog).
    if (ofKind(ctx.observations, 'tcp.backlog').length === 0) return suspectedFinding(ctx, openBefore);
    return null;
  },
};

/** Without a backlog test: a connect completed, then every spread SYN to the same port was lost while the host answers ping. */
function suspectedFinding(ctx: RuleContext, openBefore: (address: string, port: number) => boolean): Finding | null {
  for (const sp of ofKind(ctx.observations, 'tcp.spread')) {
    const d = sp.data;
    if (d.method !== 'raw' || d.answered > 0 || d.lost < 3 || !openBefore(d.address, d.port)) continue;
    const echo = ofKind(ctx.observations, 'icmp.echo').find((e) => sameAddr(e.data.address, d.address) && e.data.received > 0);
    if (!echo) continue;
    const target = formatHostPort(d.address, d.port);
    return makeFinding(meta, ctx, {
      vars: { address: d.address, port: d.port, parallel: d.flows.length, dropped: d.lost },
      title: M.suspectedTitle({ address: d.address, port: d.port }),
      explanation: M.suspectedWhy({ target, lost: d.lost, received: echo.data.received, sent: echo.data.sent }),
      evidence: [
        evidence('tcp.connect', M.connectOpen({ target })),
        evidence('tcp.spread', M.spread({ target, flows: d.flows.length, answered: d.answered, lost: d.lost }), { flows: d.flows }),
        evidence('icmp.echo', M.ping({ address: d.address, received: echo.data.received, sent: echo.data.sent })),
      ],
      fix: [
        { summary: M.confirmBacklog(), command: `netdx diagnose ${target} --protocol tcp --backlog 50` },
        { summary: M.checkAcceptShort({ port: d.port }), command: `ss -ltn 'sport = :${d.port}'` },
      ],
    });
  }
  return null;
}
