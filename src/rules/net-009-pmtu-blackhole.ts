import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, metaFix, msg, ofKind } from './types.js';
import { echoLossy } from '../model/observation.js';
import { said } from './helpers.js';
import type { Evidence } from '../model/report.js';

export const meta: RuleMeta = {
  code: 'NET-009',
  slug: 'pmtu-blackhole',
  layer: 'network',
  severity: 'error',
  title: { en: 'Packets to {dst} larger than {passes} bytes are silently lost (PMTU blackhole)', zh: 'MTU黑洞/MSS不匹配：发往 {dst} 的大于 {passes} 字节的报文被悄悄丢弃' },
  explanation: {
    en: 'Packets up to {passes} bytes reach {dst}, packets of {fails} bytes do not, and no "fragmentation needed"/"packet too big" comes back. Small exchanges work while large ones (the TLS handshake with its certificates, file transfers) stall. A link with a smaller MTU (a tunnel, PPPoE) and a filter that drops the ICMP that would tell the sender.',
    zh: '不超过 {passes} 字节的报文能到达 {dst}，{fails} 字节的报文却到不了，而且没有"需要分片"/"报文过大"的 ICMP 返回。小的交互正常，大的（带证书的 TLS 握手、文件传输）会卡住。通常是路径上有 MTU 更小的链路（隧道、PPPoE），同时有过滤器丢弃了本应通知发送方的 ICMP。',
  },
  evidence: {
    en: 'The largest size that passes, the smallest that fails (DF set), the absence of ICMP frag-needed, and the interface MTUs.',
    zh: '能通过的最大报文、不能通过的最小报文（设置 DF）、没有收到 ICMP 需要分片报文，以及各网卡的 MTU。',
  },
  fix: [
    {
      summary: { en: 'Clamp the TCP MSS to the path MTU on the router/tunnel that forwards the traffic', zh: '在转发该流量的路由器/隧道上把 TCP MSS 限制为路径 MTU' },
      command: 'iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    },
    { summary: { en: 'Or lower the MTU of {dev} to what passes', zh: '或者把 {dev} 的 MTU 降到能通过的大小' }, command: 'ip link set {dev} mtu {mtu}' },
  ],
  explains: ['TLS-009', 'TCP-004', 'TCP-006', 'APP-001', 'APP-002'],
};

const M = defineMessages('NET-009', {
  dfProbes: msg(
    (p: { target: string; largestPass: number; smallestFail: number | null; dev: string | null; ifMtu: number | null; probes: number; method: string }) =>
      `DF probes to ${p.target}: ${p.largestPass} bytes pass, ${p.smallestFail ?? '—'} bytes get no answer, no fragmentation-needed came back; ${p.dev ?? 'egress interface'} MTU ${p.ifMtu ?? 'unknown'} (${p.probes} probes, ${p.method})`,
    (p) =>
      `到 ${p.target} 的 DF 探测：${p.largestPass} 字节可通过，${p.smallestFail ?? '—'} 字节无应答，且没有收到“需要分片”（fragmentation-needed）；${p.dev ?? '出口网卡'} 的 MTU 为 ${p.ifMtu ?? '未知'}（${p.probes} 次探测，${p.method}）`,
  ),
  tcpPayload: msg(
    (p: { target: string; port: number; bytesSent: number; mss: number | null; bytesAcked: number; ms: number; retransmits: number; outcome: string }) =>
      `TCP ${p.target}:${p.port}: ${p.bytesSent} bytes sent in segments of MSS ${p.mss ?? '?'}, ${p.bytesAcked} acknowledged after ${p.ms} ms, ${p.retransmits} retransmission(s): ${p.outcome}`,
    (p) => `TCP ${p.target}:${p.port}：按 MSS ${p.mss ?? '?'} 分段发送 ${p.bytesSent} 字节，${p.ms} 毫秒后确认 ${p.bytesAcked} 字节，重传 ${p.retransmits} 次：${said('zh', p.outcome)}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const o of ofKind(ctx.observations, 'pmtu.search')) {
      const d = o.data;
      const tcp = d.tcp;
      const icmpBlackhole = d.largestPass !== null && d.smallestFail !== null && d.fragNeeded === null;
      // A stalled large payload alone is a blackhole only when the kernel did retransmit it and the
      // path does not simply lose packets of every size (some echoes to the target lost).
      const lossy = echoLossy(ctx.observations, d.target);
      const tcpStalled = tcp?.outcome === 'stalled' && (icmpBlackhole || (tcp.retransmits > 0 && !lossy));
      // Frag-needed comes back (PMTU discovery works), or the large TCP payload got through (MSS clamped): no blackhole.
      if (tcp?.outcome === 'passed') continue;
      if (!icmpBlackhole && !(tcpStalled && d.fragNeeded === null)) continue;
      const passes = d.largestPass ?? (tcp?.mss ? tcp.mss + 40 : null);
      const vars: Record<string, string | number> = {
        dst: d.target,
        passes: passes ?? '?',
        fails: d.smallestFail ?? (tcp?.mss ? tcp.mss + 40 : '?'),
      };
      if (d.dev && passes) Object.assign(vars, { dev: d.dev, mtu: passes });
      const ev: Evidence[] = [];
      if (d.largestPass !== null) {
        ev.push(
          evidence('pmtu.search', M.dfProbes({ target: d.target, largestPass: d.largestPass, smallestFail: d.smallestFail, dev: d.dev, ifMtu: d.ifMtu, probes: d.probes, method: d.method }), {
            largestPass: d.largestPass,
            smallestFail: d.smallestFail,
            fragNeeded: d.fragNeeded,
            ifMtu: d.ifMtu,
            dev: d.dev,
          }),
        );
      }
      if (tcp && tcp.outcome !== 'not-run' && tcp.outcome !== 'connect-failed') {
        ev.push(
          evidence(
            'pmtu.search',
            M.tcpPayload({
              target: d.target,
              port: tcp.port,
              bytesSent: tcp.bytesSent,
              mss: tcp.mss,
              bytesAcked: tcp.bytesAcked,
              ms: tcp.ms,
              retransmits: tcp.retransmits,
              outcome: tcp.outcome,
            }),
            { tcp },
          ),
        );
      }
      // Without a device and a size that passes, only the meta's first fix (by its own id) applies.
      const fix = d.dev && passes ? undefined : [metaFix(meta, 0, {})];
      return makeFinding(meta, ctx, { vars, evidence: ev, ...(fix ? { fix } : {}) });
    }
    return null;
  },
};
