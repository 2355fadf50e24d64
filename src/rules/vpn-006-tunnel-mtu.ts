import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';

export const meta: RuleMeta = {
  code: 'VPN-006',
  slug: 'tunnel-mtu',
  layer: 'tunnel',
  severity: 'error',
  title: {
    en: 'The MTU of {dev} ({mtu}) plus {overhead} bytes of encapsulation exceeds the underlay path MTU ({pmtu})',
    zh: '隧道MTU过大：{dev} 的 MTU（{mtu}）加上 {overhead} 字节封装开销超过了底层路径 MTU（{pmtu}）',
  },
  explanation: {
    en: 'Packets of up to {mtu} bytes enter the tunnel, grow by {overhead} bytes of encapsulation and no longer fit the underlay path ({pmtu} bytes): small packets pass, large ones through the tunnel are lost, so TLS handshakes and transfers stall.',
    zh: '最大 {mtu} 字节的报文进入隧道后增加 {overhead} 字节封装，超过了底层路径（{pmtu} 字节）：小报文能通过，经隧道的大报文丢失，于是 TLS 握手和数据传输卡住。',
  },
  evidence: { en: 'Tunnel MTU, encapsulation overhead and the underlay path MTU.', zh: '隧道 MTU、封装开销以及底层路径 MTU。' },
  fix: [
    { summary: { en: 'Lower the tunnel MTU to fit the underlay', zh: '降低隧道 MTU 以适应底层网络' }, command: 'ip link set {dev} mtu {fitMtu}' },
    {
      summary: { en: 'Or clamp the TCP MSS on the tunnel', zh: '或者在隧道上限制 TCP MSS' },
      command: 'iptables -t mangle -A FORWARD -o {dev} -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    },
  ],
  explains: ['NET-009', 'TLS-009', 'TCP-004', 'APP-001', 'APP-002'],
};

/**
 * A full tunnel packet does not cross the underlay. Decisive when measured through the tunnel (a
 * DF packet of the tunnel MTU to the target is lost, sent twice); without that, only for
 * WireGuard whose DF probe of MTU + overhead to the endpoint vanished silently — a router's
 * frag-needed or a locally known path MTU lets the stack fragment the outer packets, and OpenVPN
 * fragments them anyway, so neither alone is this fault.
 */
/** The encapsulation overhead's breakdown (src/diagnose/tunnel-overhead.ts) in Chinese. */
function overheadWhyZh(why: string): string {
  return why
    .replace(/^(WireGuard|OpenVPN) over (\S+): /, '$1 承载于 $2：')
    .replace(/(\d+) WireGuard header and tag/, '$1 WireGuard 头部与认证标签')
    .replace(/(\d+) opcode\/peer-id/, '$1 操作码/peer-id')
    .replace(/(\d+) packet id/, '$1 包序号')
    .replace(/(\d+) tag\b/, '$1 认证标签')
    .replace(/up to (\d+) padding/, '最多 $1 填充')
    .replace(/(\d+) length/, '$1 长度')
    .replace(/(\d+) compression/, '$1 压缩')
    .replace(/(\d+) Ethernet \(tap\)/, '$1 以太网头（tap）');
}

const M = defineMessages('VPN-006', {
  overhead: msg(
    (p: { dev: string; mtu: number; overhead: number; why: string; needed: number }) => `${p.dev}: MTU ${p.mtu} + ${p.overhead} (${p.why}) = ${p.needed} bytes on the underlay`,
    (p) => `${p.dev}：MTU ${p.mtu} + ${p.overhead}（${overheadWhyZh(p.why)}）= 底层网络上 ${p.needed} 字节`,
  ),
  underlay: msg(
    (p: { needed: number; endpoint: string; fragFrom: string | null; fragMtu: number | null; largestPass: number | null; smallestFail: number | null }) =>
      `DF ${p.needed} bytes to ${p.endpoint} lost${p.fragFrom !== null ? ` (${p.fragFrom}: fragmentation needed, mtu ${p.fragMtu})` : ' without any "fragmentation needed"'}; largest that passes ${p.largestPass ?? '?'}, smallest that fails ${p.smallestFail ?? '?'}`,
    (p) =>
      `发往 ${p.endpoint} 的 ${p.needed} 字节 DF 报文丢失${p.fragFrom !== null ? `（${p.fragFrom} 返回“需要分片”，MTU ${p.fragMtu}）` : '，且没有收到任何“需要分片”'}；可通过的最大为 ${p.largestPass ?? '?'}，失败的最小为 ${p.smallestFail ?? '?'}`,
  ),
  overlay: msg(
    (p: { size: number; address: string; passed: boolean }) => `through the tunnel: ${p.size} bytes to ${p.address} ${p.passed ? 'pass' : 'are lost'} (small packets pass)`,
    (p) => `经隧道：发往 ${p.address} 的 ${p.size} 字节报文${p.passed ? '可以通过' : '丢失'}（小报文可以通过）`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { data: m } of ofKind(ctx.observations, 'tunnel.mtu')) {
      if (m.neededPasses !== false) continue;
      const kind = ofKind(ctx.observations, 'tunnel.state').find((s) => s.data.dev === m.dev)?.data.kind;
      const silent = (m.neededResult ?? 'lost') === 'lost';
      if (m.overlay ? m.overlay.passed : !(silent && kind === 'wireguard')) continue;
      const pmtu = m.fragNeeded?.mtu ?? m.largestPass;
      if (pmtu === null || pmtu >= m.needed) continue;
      const fitMtu = pmtu - m.overhead;
      if (fitMtu < 576) continue;
      const under = M.underlay({
        needed: m.needed,
        endpoint: m.endpoint,
        fragFrom: m.fragNeeded?.from ?? null,
        fragMtu: m.fragNeeded?.mtu ?? null,
        largestPass: m.largestPass,
        smallestFail: m.smallestFail,
      });
      return makeFinding(meta, ctx, {
        vars: { dev: m.dev, mtu: m.tunnelMtu, overhead: m.overhead, pmtu, fitMtu },
        evidence: [
          evidence('tunnel.mtu', M.overhead({ dev: m.dev, mtu: m.tunnelMtu, overhead: m.overhead, why: m.overheadWhy, needed: m.needed }), {
            dev: m.dev,
            tunnelMtu: m.tunnelMtu,
            overhead: m.overhead,
            needed: m.needed,
          }),
          evidence('tunnel.mtu', under, { endpoint: m.endpoint, largestPass: m.largestPass, smallestFail: m.smallestFail, fragNeeded: m.fragNeeded, method: m.method }),
          ...(m.overlay ? [evidence('tunnel.mtu', M.overlay({ size: m.overlay.size, address: m.overlay.address, passed: m.overlay.passed }), { overlay: m.overlay })] : []),
        ],
      });
    }
    return null;
  },
};
