/**
 * Findings of a capture: the flow analysis judged with the same fault codes (and the same rule
 * metas: code, slug, layer, severity, titles, fixes) as a live diagnosis, each with the packets
 * that show it as evidence. Pure: reads an Analyzer, returns Findings and the summary.
 *
 * Messages are data: every text (title, explanation, evidence, fix) is a message id with params
 * (the capture's own texts below, the metas' templates through makeFinding), rendered in the
 * judge's language; the JSON report keeps the id beside the English text.
 */
import { X509Certificate } from 'node:crypto';
import type { Lang } from '../model/layer.js';
import type { Evidence, Finding } from '../model/report.js';
import { renderMessage, type Message } from '../model/message.js';
import { defineMessages, makeFinding, msg, registerMetaMessages, type FixPart, type RuleMeta } from '../rules/types.js';
import { meta as TCP_001 } from '../rules/tcp-001-port-closed.js';
import { meta as TCP_002 } from '../rules/tcp-002-port-filtered.js';
import { meta as TCP_003 } from '../rules/tcp-003-port-rejected.js';
import { meta as TCP_004 } from '../rules/tcp-004-reset-after-connect.js';
import { meta as TCP_006, keepaliveBelow } from '../rules/tcp-006-idle-timeout.js';
import { meta as NET_002 } from '../rules/net-002-gateway-unreachable.js';
import { meta as NET_004 } from '../rules/net-004-route-conflict.js';
import { meta as NET_009 } from '../rules/net-009-pmtu-blackhole.js';
import { meta as DNS_002 } from '../rules/dns-002-nxdomain.js';
import { meta as DNS_003 } from '../rules/dns-003-resolver-error.js';
import { meta as DNS_005 } from '../rules/dns-005-answer-mismatch.js';
import { meta as TLS_001 } from '../rules/tls-001-cert-expired.js';
import { meta as TLS_002 } from '../rules/tls-002-cert-not-yet-valid.js';
import { meta as TLS_003 } from '../rules/tls-003-hostname-mismatch.js';
import { meta as TLS_004 } from '../rules/tls-004-untrusted-issuer.js';
import { meta as TLS_006 } from '../rules/tls-006-protocol-mismatch.js';
import { meta as TLS_007 } from '../rules/tls-007-client-cert-required.js';
import { meta as APP_001 } from '../rules/app-001-heartbeat-lost.js';
import { ALERTS } from '../probes/tls-records.js';
import { RCODES, QTYPES, tlsVersionName, type TlsEvent } from './app.js';
import { macText } from './decode.js';
import type { Analyzer, PacketRef, TcpFlow } from './flows.js';

export interface JudgeOptions {
  lang: Lang;
  /** --target: focus on this host (name or address) and port. */
  targetHost?: string | null;
  targetPort?: number | null;
  /** --expect-ip: the addresses the target name should resolve to. */
  expectIp?: string[];
}

/** A packet reference as the report carries it. */
export interface PacketEvidence {
  n: number;
  ts: string;
}

const iso = (us: number): string => (us > 0 && us / 1000 <= 8.64e15 ? new Date(us / 1000).toISOString() : '');
const isoMs = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : '?');
const refs = (list: readonly PacketRef[]): PacketEvidence[] => list.map((r) => ({ n: r.n, ts: iso(r.tsUs) }));
const nums = (list: readonly PacketRef[]): number[] => list.map((r) => r.n);
const secs = (us: number): number => Math.round(us / 1e5) / 10;
const hp = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
/** Packet numbers as the texts show them: #3, #4. */
const pk = (list: readonly number[]): string => list.map((n) => `#${n}`).join(', ');

/** The capture's own texts (the rule metas' templates come from the metas), one group per fault code. */
const M = {
  tcp003: defineMessages('pcap.TCP-003', {
    syn: msg(
      (p: { src: string; dst: string; packets: number[] }) => `SYN ${p.src} → ${p.dst}: packets ${pk(p.packets)}`,
      (p) => `SYN ${p.src} → ${p.dst}：报文 ${pk(p.packets)}`,
    ),
    icmp: msg(
      (p: { icmp: string; from: string; n: number }) => `ICMP ${p.icmp} from ${p.from} quoting that SYN: packet #${p.n}`,
      (p) => `来自 ${p.from} 的 ICMP ${p.icmp}，引用了该 SYN：报文 #${p.n}`,
    ),
    explanation: msg(
      (p: { attempts: number; dst: string; icmp: string; from: string }) =>
        `${p.attempts} connection attempt(s) to ${p.dst} were answered by ICMP ${p.icmp} from ${p.from} instead of a SYN-ACK or RST: a firewall (or router) rejects them.`,
      (p) => `${p.attempts} 次到 ${p.dst} 的连接请求收到来自 ${p.from} 的 ICMP ${p.icmp}，而不是 SYN-ACK 或 RST：防火墙（或路由器）拒绝了它们。`,
    ),
  }),
  tcp002: defineMessages('pcap.TCP-002', {
    syns: msg(
      (p: { syns: number; attempts: number; dst: string; secs: number; packets: number[] }) =>
        `${p.syns} SYN(s) in ${p.attempts} attempt(s) to ${p.dst} over ${p.secs} s, no SYN-ACK, RST or ICMP error: packets ${pk(p.packets)}`,
      (p) => `${p.attempts} 次尝试共 ${p.syns} 个 SYN 发往 ${p.dst}，历时 ${p.secs} 秒，没有 SYN-ACK、RST 或 ICMP 错误：报文 ${pk(p.packets)}`,
    ),
    explanation: msg(
      (p: { dst: string; address: string; hostAnswers: boolean }) =>
        p.hostAnswers
          ? `The client sent the SYN to ${p.dst} again and again and nothing came back, while the capture shows ${p.address} itself answering: a firewall drops the SYNs for this port.`
          : `The client sent the SYN to ${p.dst} again and again and nothing came back: no SYN-ACK, no RST, no ICMP error. A firewall dropping the port is the likely cause; the capture does not show whether ${p.address} itself is up.`,
      (p) =>
        p.hostAnswers
          ? `客户端反复向 ${p.dst} 发送 SYN，没有任何回应，而抓包显示 ${p.address} 本身有应答：防火墙丢弃了发往该端口的 SYN。`
          : `客户端反复向 ${p.dst} 发送 SYN，没有任何回应：没有 SYN-ACK、RST 或 ICMP 错误。最可能是防火墙丢弃了该端口的报文；抓包无法说明 ${p.address} 本身是否在线。`,
    ),
  }),
  tcp001: defineMessages('pcap.TCP-001', {
    rst: msg(
      (p: { syns: number[]; rsts: number[]; address: string; attempts: number }) => `SYN ${pk(p.syns)} answered by RST ${pk(p.rsts)} from ${p.address} (${p.attempts} attempt(s), Zeek state REJ)`,
      (p) => `SYN ${pk(p.syns)} 被 ${p.address} 以 RST ${pk(p.rsts)} 回应（${p.attempts} 次尝试，Zeek 状态 REJ）`,
    ),
    explanation: msg(
      (p: { address: string; port: number }) => `${p.address} answers the SYN to port ${p.port} with a RST: the host is up but nothing listens on that port (or a firewall rejects with tcp-reset).`,
      (p) => `${p.address} 用 RST 回应发往端口 ${p.port} 的 SYN：主机在线，但该端口没有服务监听（或防火墙以 tcp-reset 拒绝）。`,
    ),
  }),
  app001: defineMessages('pcap.APP-001', {
    beats: msg(
      (p: { answered: number; interval: number; lost: number; firstLost: number; connectionEnds: boolean }) =>
        `${p.answered} heartbeat(s) every ~${p.interval} s answered, then ${p.lost} unanswered from packet #${p.firstLost}${p.connectionEnds ? '; then the connection ends' : ''}`,
      (p) => `${p.answered} 次心跳（约每 ${p.interval} 秒）有应答，之后从报文 #${p.firstLost} 起 ${p.lost} 次无应答${p.connectionEnds ? '；随后连接结束' : ''}`,
    ),
    title: msg(
      (p: { peer: string; interval: number; lost: number }) => `Heartbeats to ${p.peer} stop being answered (every ~${p.interval} s, ${p.lost} lost)`,
      (p) => `发往 ${p.peer} 的心跳不再有应答（约每 ${p.interval} 秒，${p.lost} 次丢失）`,
    ),
    explanation: msg(
      (p: { interval: number; local: string; peer: string; answered: number }) =>
        `The client sends a small message every ~${p.interval} s on ${p.local} → ${p.peer}; the peer answered ${p.answered} of them, then stopped answering. The application's liveness check fails here, whatever the cause underneath (the transport findings, if any, say which).`,
      (p) => `客户端在 ${p.local} → ${p.peer} 上约每 ${p.interval} 秒发送一条小消息；对端应答了其中 ${p.answered} 条，随后不再应答。应用层的存活检测在此失败（底层原因见传输层的发现，如有）。`,
    ),
  }),
  tcp004: defineMessages('pcap.TCP-004', {
    rst: msg(
      (p: { established: number; address: string; rst: number; ms: number; state: string }) =>
        `handshake done at #${p.established}, RST from ${p.address} at #${p.rst}, ${p.ms} ms later (Zeek state ${p.state})`,
      (p) => `握手于 #${p.established} 完成，${p.ms} 毫秒后 ${p.address} 在 #${p.rst} 发送 RST（Zeek 状态 ${p.state}）`,
    ),
    explanation: msg(
      (p: { peer: string; ms: number }) =>
        `${p.peer} completes the handshake and resets the connection ${p.ms} ms later without sending anything: the service (or a proxy/load balancer in front of it) accepts and immediately drops this client.`,
      (p) => `${p.peer} 完成握手后 ${p.ms} 毫秒即重置连接，未发送任何数据：服务（或其前面的代理/负载均衡）接受连接后立即断开了该客户端。`,
    ),
  }),
  tcp006: defineMessages('pcap.TCP-006', {
    idleRst: msg(
      (p: { idleSec: number; before: number; after: number; rst: number }) => `idle ${p.idleSec} s between #${p.before} and #${p.after}; the peer's answer is a RST (#${p.rst})`,
      (p) => `#${p.before} 与 #${p.after} 之间空闲 ${p.idleSec} 秒；对端的回应是 RST（#${p.rst}）`,
    ),
    idleDead: msg(
      (p: { idleSec: number; before: number; after: number; sent: number }) =>
        `idle ${p.idleSec} s between #${p.before} and #${p.after}; after it the client sends ${p.sent} packet(s) (retransmitted) and the peer never answers`,
      (p) => `#${p.before} 与 #${p.after} 之间空闲 ${p.idleSec} 秒；之后客户端发送 ${p.sent} 个报文（重传），对端再无应答`,
    ),
    title: msg(
      (p: { peer: string; idleSec: number }) => `The connection to ${p.peer} dies after ${p.idleSec} s idle`,
      (p) => `到 ${p.peer} 的连接空闲 ${p.idleSec} 秒后失效`,
    ),
    explanation: msg(
      (p: { idleSec: number; rst: boolean }) =>
        `The connection worked, stayed silent for ${p.idleSec} s, and the first packet after the silence ${p.rst ? 'was answered by a RST' : 'was never answered'}: a NAT or firewall on the path forgot the connection while it was idle (its idle timeout is shorter than the silence), or the server dropped it.`,
      (p) => `连接原本正常，静默 ${p.idleSec} 秒后发出的第一个报文${p.rst ? '收到了 RST' : '再无应答'}：路径上的 NAT 或防火墙在空闲期间遗忘了该连接（其空闲超时短于这段静默），或服务器丢弃了它。`,
    ),
  }),
  net009: defineMessages('pcap.NET-009', {
    icmp: msg(
      (p: { v6: boolean; from: string; mtu: number; flow: string }) => `${p.v6 ? 'ICMPv6 packet-too-big' : 'ICMP frag-needed'} from ${p.from}, next-hop MTU ${p.mtu}, quoting ${p.flow}`,
      (p) => `来自 ${p.from} 的 ${p.v6 ? 'ICMPv6 packet-too-big' : 'ICMP frag-needed'}，下一跳 MTU ${p.mtu}，引用 ${p.flow}`,
    ),
    icmpTitle: msg(
      (p: { dst: string; mtu: number; from: string }) => `The path to ${p.dst} carries at most ${p.mtu} bytes per packet (${p.from} says so)`,
      (p) => `到 ${p.dst} 的路径每个报文最多 ${p.mtu} 字节（${p.from} 告知）`,
    ),
    icmpExplanation: msg(
      (p: { from: string; times: number }) =>
        `${p.from} dropped a packet too large for its next hop and said so (${p.times} time(s)); senders that honour it shrink their packets, but when this ICMP is filtered before it reaches them, large packets vanish silently (a PMTU blackhole).`,
      (p) => `${p.from} 丢弃了一个超过下一跳 MTU 的报文并发出通知（${p.times} 次）；遵守该通知的发送方会减小报文，但若这条 ICMP 在到达发送方之前被过滤，大报文就会被悄悄丢弃（PMTU 黑洞）。`,
    ),
    retrans: msg(
      (p: { retransmissions: number; segment: number; dst: string; packets: number[] }) =>
        `${p.retransmissions} retransmission(s) of full-size segments (${p.segment} bytes of payload) to ${p.dst}, never acknowledged: packets ${pk(p.packets)}; the handshake and smaller segments got through`,
      (p) => `发往 ${p.dst} 的满长度报文段（载荷 ${p.segment} 字节）被重传 ${p.retransmissions} 次且始终未被确认：报文 ${pk(p.packets)}；握手及较小的报文段均可通过`,
    ),
    retransTitle: msg(
      (p: { dst: string }) => `Full-size packets to ${p.dst} are lost while small ones pass (PMTU blackhole)`,
      (p) => `发往 ${p.dst} 的满长度报文丢失而小报文可以通过（PMTU 黑洞）`,
    ),
    retransExplanation: msg(
      (p: { src: string; dst: string }) =>
        `The connection ${p.src} → ${p.dst} is established and small packets pass, but the largest segments are retransmitted again and again and never acknowledged, and no ICMP frag-needed is in the capture: a link on the path has a smaller MTU and its ICMP error is filtered.`,
      (p) => `连接 ${p.src} → ${p.dst} 已建立、小报文可以通过，但最大的报文段被一再重传、始终未被确认，抓包中也没有 ICMP frag-needed：路径上某段链路的 MTU 更小，且其 ICMP 错误被过滤。`,
    ),
  }),
  net002: defineMessages('pcap.NET-002', {
    arp: msg(
      (p: { requests: number; ip: string; packets: number[] }) => `${p.requests} ARP request(s) "who has ${p.ip}", no reply: packets ${pk(p.packets)}`,
      (p) => `${p.requests} 个 ARP 请求“谁是 ${p.ip}”，无应答：报文 ${pk(p.packets)}`,
    ),
    title: msg(
      (p: { ip: string; requests: number }) => `${p.ip} does not answer ARP (${p.requests} requests)`,
      (p) => `${p.ip} 不响应 ARP（${p.requests} 次请求）`,
    ),
    explanation: msg(
      (p: { ip: string }) =>
        `The host asks again and again for the MAC address of ${p.ip} and gets no answer: the next hop (the gateway, when ${p.ip} is one) is down, on another segment/VLAN, or its address is wrong. Nothing sent through it can leave.`,
      (p) => `主机反复询问 ${p.ip} 的 MAC 地址，始终没有应答：下一跳（若 ${p.ip} 是网关，即网关）宕机、位于其他网段/VLAN，或地址配置错误。经由它发出的报文都无法离开本机。`,
    ),
  }),
  net004: defineMessages('pcap.NET-004', {
    title: msg(
      (p: { dst: string; owner: string | null; mac: string; expected: string }) => `Traffic to ${p.dst} goes ${p.owner ? `via ${p.owner} (${p.mac})` : `to ${p.mac}`}, not via ${p.expected}`,
      (p) => `路由冲突/错误路由：发往 ${p.dst} 的流量走 ${p.owner ? `${p.owner}（${p.mac}）` : p.mac}，而不是经由 ${p.expected}`,
    ),
    echo: msg(
      (p: { requests: number; dst: string; mac: string; owner: string | null; expected: string; packets: number[] }) =>
        `${p.requests} echo request(s) to ${p.dst} leave to MAC ${p.mac}${p.owner ? ` (${p.owner})` : ''}, while the other routed traffic goes to ${p.expected}; no reply: packets ${pk(p.packets)}`,
      (p) => `${p.requests} 个发往 ${p.dst} 的回显请求被送往 MAC ${p.mac}${p.owner ? `（${p.owner}）` : ''}，而其他经路由的流量送往 ${p.expected}；无应答：报文 ${pk(p.packets)}`,
    ),
    explanation: msg(
      (p: { dst: string; via: string; expected: string }) =>
        `Packets to ${p.dst} are handed to ${p.via} instead of the gateway ${p.expected} that carries the rest of the traffic, and nothing comes back: a more specific route (or a wrong neighbour entry) sends them the wrong way.`,
      (p) => `发往 ${p.dst} 的报文被交给 ${p.via}，而不是承载其余流量的网关 ${p.expected}，且没有任何回应：一条更具体的路由（或错误的邻居表项）把它们送错了方向。`,
    ),
  }),
  dns002: defineMessages('pcap.DNS-002', {
    nxdomain: msg(
      (p: { qtype: string | number; name: string; server: string; query: number; answer: number; answers: number }) =>
        `${p.qtype} ${p.name} → NXDOMAIN from ${p.server} (query #${p.query}, answer #${p.answer}${p.answers > 1 ? `, ${p.answers} answers` : ''})`,
      (p) => `${p.qtype} ${p.name} → ${p.server} 返回 NXDOMAIN（查询 #${p.query}，应答 #${p.answer}${p.answers > 1 ? `，共 ${p.answers} 个应答` : ''}）`,
    ),
    explanation: msg(
      (p: { server: string; name: string }) => `The resolver ${p.server} answers that ${p.name} does not exist (NXDOMAIN): the name is misspelt, not published, or a search domain was appended.`,
      (p) => `解析服务器 ${p.server} 回答 ${p.name} 不存在（NXDOMAIN）：域名拼写错误、未发布，或被附加了搜索域。`,
    ),
  }),
  dns003: defineMessages('pcap.DNS-003', {
    rcode: msg(
      (p: { qtype: string | number; name: string; rcode: string | number; server: string; query: number; answer: number }) =>
        `${p.qtype} ${p.name} → ${p.rcode} from ${p.server} (query #${p.query}, answer #${p.answer})`,
      (p) => `${p.qtype} ${p.name} → ${p.server} 返回 ${p.rcode}（查询 #${p.query}，应答 #${p.answer}）`,
    ),
    explanation: msg(
      (p: { server: string; rcodes: string[]; name: string }) =>
        `The resolver ${p.server} answers ${p.rcodes.join(', ')} for ${p.name}: it refuses to resolve for this client or fails upstream, so the name cannot be resolved through it.`,
      (p) => `解析服务器 ${p.server} 对 ${p.name} 返回 ${p.rcodes.join('、')}：它拒绝为本客户端解析或上游失败，因此无法经由它解析该域名。`,
    ),
  }),
  dns005: defineMessages('pcap.DNS-005', {
    title: msg(
      (p: { name: string; answers: string[]; expected: string[] }) => `DNS answers for ${p.name} are not what they should be: ${p.answers.join(', ')} instead of ${p.expected.join(', ')}`,
      (p) => `DNS解析结果异常/被污染：${p.name} ${p.answers.join('、')}，而不是 ${p.expected.join('、')}`,
    ),
    answer: msg(
      (p: { qtype: string | number; name: string; answers: string[]; server: string; answer: number; expected: string[] }) =>
        `${p.qtype} ${p.name} → ${p.answers.join(', ')} from ${p.server} (answer #${p.answer}); expected ${p.expected.join(', ')}`,
      (p) => `${p.qtype} ${p.name} → ${p.server} 返回 ${p.answers.join('、')}（应答 #${p.answer}）；期望 ${p.expected.join('、')}`,
    ),
    explanation: msg(
      (p: { server: string; name: string; answers: string[]; expected: string[] }) =>
        `The resolver ${p.server} answers ${p.name} with ${p.answers.join(', ')}, not the expected ${p.expected.join(', ')}: a stale or split-horizon record, a hijacking resolver, or a wrong zone entry.`,
      (p) => `解析服务器 ${p.server} 对 ${p.name} 的应答是 ${p.answers.join('、')}，不是期望的 ${p.expected.join('、')}：记录过期、分区视图差异、解析被劫持或区域记录错误。`,
    ),
  }),
  tls: defineMessages('pcap.tls', {
    clientHello: msg(
      (p: { n: number; sni: string | null; versions: string[] }) => `ClientHello #${p.n}: SNI ${p.sni ?? '(none)'}, versions ${p.versions.join(', ')}`,
      (p) => `ClientHello #${p.n}：SNI ${p.sni ?? '（无）'}，版本 ${p.versions.join('、')}`,
    ),
    serverHello: msg(
      (p: { n: number; version: string; cipher: string }) => `ServerHello #${p.n}: ${p.version}, cipher ${p.cipher}`,
      (p) => `ServerHello #${p.n}：${p.version}，加密套件 ${p.cipher}`,
    ),
    certificate: msg(
      (p: { n: number; chain: number; subject: string; notBefore: string; notAfter: string; sans: string | null }) =>
        `Certificate #${p.n}: ${p.chain} certificate(s), leaf ${p.subject}, valid ${p.notBefore} … ${p.notAfter}, SAN ${p.sans ?? '(none)'}`,
      (p) => `Certificate #${p.n}：${p.chain} 张证书，叶证书 ${p.subject}，有效期 ${p.notBefore} … ${p.notAfter}，SAN ${p.sans ?? '（无）'}`,
    ),
    alert: msg(
      (p: { alert: string; fatal: boolean; fromServer: boolean; who: string; n: number }) =>
        `alert ${p.alert} (${p.fatal ? 'fatal' : 'warning'}) from ${p.fromServer ? 'the server' : 'the client'} ${p.who}: packet #${p.n}`,
      (p) => `${p.fromServer ? '服务器' : '客户端'} ${p.who} 发出告警 ${p.alert}（${p.fatal ? '致命' : '警告'}）：报文 #${p.n}`,
    ),
    serverAlert: msg(
      (p: { server: string; alert: string; versions: string[] | null; certRequested: boolean }) =>
        `The server ${p.server} ended the handshake with the alert ${p.alert}${p.versions ? ` after the ClientHello (versions ${p.versions.join(', ')})` : ''}${p.certRequested ? ', having asked for a client certificate' : ''}.`,
      (p) => `服务器 ${p.server} 以告警 ${p.alert} 结束了握手${p.versions ? `（ClientHello 提供的版本：${p.versions.join('、')}）` : ''}${p.certRequested ? '，此前它要求了客户端证书' : ''}。`,
    ),
    clientAlert: msg(
      (p: { server: string; alert: string }) => `The client ended the handshake with ${p.server} with the alert ${p.alert}: it refused what the server presented.`,
      (p) => `客户端以告警 ${p.alert} 结束了与 ${p.server} 的握手：它拒绝了服务器出示的内容。`,
    ),
    rejectsCertificate: msg(
      (p: { server: string; alert: string }) => `${p.server}: the client rejects the certificate (alert ${p.alert})`,
      (p) => `${p.server}：客户端拒绝了证书（告警 ${p.alert}）`,
    ),
    unknownName: msg(
      (p: { server: string; name: string | null; alert: string }) => `${p.server} does not know the name ${p.name ?? '?'} (alert ${p.alert})`,
      (p) => `${p.server} 不认识名称 ${p.name ?? '?'}（告警 ${p.alert}）`,
    ),
    expired: msg(
      (p: { server: string; days: number; notAfter: string }) =>
        `The certificate ${p.server} presented had expired ${p.days} day(s) before the capture (not after ${p.notAfter}); clients that check refuse it.`,
      (p) => `${p.server} 出示的证书在抓包时已过期 ${p.days} 天（有效期至 ${p.notAfter}）；进行校验的客户端会拒绝它。`,
    ),
    notYetValid: msg(
      (p: { server: string; notBefore: string; days: number }) =>
        `The certificate ${p.server} presented becomes valid only ${p.notBefore}, ${p.days} day(s) after the capture: a clock is wrong (the server's when it issued it, or the client's).`,
      (p) => `${p.server} 出示的证书要到 ${p.notBefore} 才生效，比抓包时间晚 ${p.days} 天：某一方的时钟有误（签发时的服务器时钟，或客户端时钟）。`,
    ),
    hostnameMismatch: msg(
      (p: { name: string; peer: string; covers: string }) =>
        `The client asked for ${p.name}, and the certificate ${p.peer} presented covers ${p.covers}, not that name: clients that check the name refuse it.`,
      (p) => `客户端请求的是 ${p.name}，而 ${p.peer} 出示的证书覆盖 ${p.covers}，不包含该名称：校验域名的客户端会拒绝它。`,
    ),
  }),
};

/** Evidence of packets: its summary the message rendered in the finding's language (evidence joins other findings as it is). */
function ev(lang: Lang, observation: string, summary: Message, packets: PacketEvidence[], data?: Record<string, unknown>): Evidence {
  const text = renderMessage(summary, lang);
  if (text === null) throw new Error(`message ${summary.id} is not in the catalog`);
  const e: Evidence = { observation, summary: text, message: summary };
  if (data) e.data = data;
  e.packets = packets;
  return e;
}

/**
 * A finding from a rule meta, in the capture's words (makeFinding: every text with its message). Fix
 * templates whose summary placeholders the capture cannot fill are left out.
 */
function finding(meta: RuleMeta, lang: Lang, vars: Record<string, string | number>, evidence: Evidence[], title: Message | null, explanation: Message, fix?: FixPart[]): Finding {
  return makeFinding(meta, { lang }, { vars, evidence, explanation, ...(title ? { title } : {}), ...(fix ? { fix } : {}) });
}

const ICMP4_UNREACH: Record<number, string> = {
  0: 'net-unreachable',
  1: 'host-unreachable',
  2: 'protocol-unreachable',
  3: 'port-unreachable',
  4: 'frag-needed',
  9: 'net-prohibited',
  10: 'host-prohibited',
  13: 'admin-prohibited',
};
const ICMP6_UNREACH: Record<number, string> = { 0: 'no-route', 1: 'admin-prohibited', 3: 'address-unreachable', 4: 'port-unreachable', 5: 'policy-failed', 6: 'reject-route' };

export function icmpName(v6: boolean, type: number, code: number): string {
  if (!v6) return type === 3 ? (ICMP4_UNREACH[code] ?? `unreachable code ${code}`) : type === 11 ? 'time-exceeded' : `type ${type} code ${code}`;
  return type === 1 ? (ICMP6_UNREACH[code] ?? `unreachable code ${code}`) : type === 2 ? 'packet-too-big' : type === 3 ? 'time-exceeded' : `type ${type} code ${code}`;
}

/** Does the flow concern the --target? */
function focus(f: TcpFlow, o: JudgeOptions, addrs: ReadonlySet<string>): boolean {
  if (o.targetPort != null && f.bport !== o.targetPort) return false;
  if (!o.targetHost) return true;
  if (addrs.has(f.addr(1)) || addrs.has(f.addr(0))) return true;
  // A name: also the connections whose ClientHello asks for it.
  const sni = f.d[0].tls?.events.find((e) => e.kind === 'clientHello')?.sni;
  return sni !== undefined && sameName(sni, o.targetHost);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const l = m.get(k);
    if (l) l.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** What every part of the judgement reads: the analysis, the options and the TCP flows in focus. */
interface Judging {
  a: Analyzer;
  o: JudgeOptions;
  lang: Lang;
  flows: TcpFlow[];
}

export function judge(a: Analyzer, o: JudgeOptions): Finding[] {
  const lang = o.lang;
  // The target's addresses: the literal, or what the capture's DNS answers said for the name.
  const addrs = new Set<string>();
  if (o.targetHost) {
    addrs.add(o.targetHost);
    for (const q of a.dns) if (sameName(q.qname, o.targetHost)) for (const x of q.answers) addrs.add(x);
  }
  const j: Judging = { a, o, lang, flows: a.tcp.filter((f) => focus(f, o, addrs)) };
  const heartbeatFlows = new Set<TcpFlow>();
  const out: Finding[] = [...tcpRejected(j), ...tcpSilent(j), ...tcpRefused(j), ...heartbeats(j, heartbeatFlows), ...resetOrIdle(j, heartbeatFlows)];
  out.push(...pmtuBlackhole(j), ...arpUnanswered(j), ...echoMisrouted(j), ...dnsFindings(j));
  // ── TLS: alerts, and the TLS ≤ 1.2 certificate chain ──
  for (const f of j.flows) out.push(...tlsFindings(f, o, lang));
  return dedupe(out);
}

/** TCP-003: SYNs answered by ICMP unreachable (judged before TCP-002: the answer explains the silence). */
function tcpRejected(j: Judging): Finding[] {
  const { lang, flows } = j;
  const out: Finding[] = [];
  const rejected = flows.filter((f) => f.synAcks === 0 && f.d[0].syn > 0 && f.icmp.some((h) => (h.v6 ? h.type === 1 : h.type === 3 && h.code !== 4)));
  for (const [, fs] of groupBy(rejected, (f) => hp(f.addr(1), f.bport))) {
    const f = fs[0]!;
    const h = f.icmp.find((x) => (x.v6 ? x.type === 1 : x.type === 3))!;
    const name = icmpName(h.v6, h.type, h.code);
    const vars = { address: f.addr(1), port: f.bport, from: h.from, icmp: name, iptables: f.ver === 6 ? 'ip6tables' : 'iptables' };
    const evid = [
      ev(lang, 'pcap.tcp', M.tcp003.syn({ src: hp(f.addr(0), f.aport), dst: hp(f.addr(1), f.bport), packets: nums(f.d[0].synRefs) }), refs(f.d[0].synRefs), { flows: fs.length, state: f.state }),
      ev(lang, 'pcap.icmp', M.tcp003.icmp({ icmp: name, from: h.from, n: h.n }), [{ n: h.n, ts: iso(h.tsUs) }], { type: h.type, code: h.code, from: h.from }),
    ];
    out.push(finding(TCP_003, lang, vars, evid, null, M.tcp003.explanation({ attempts: fs.length, dst: hp(f.addr(1), f.bport), icmp: name, from: h.from })));
  }
  return out;
}

/** TCP-002: SYNs retransmitted, never answered. */
function tcpSilent(j: Judging): Finding[] {
  const { a, lang, flows } = j;
  const out: Finding[] = [];
  const silent = flows.filter((f) => f.state === 'S0' && f.icmp.length === 0);
  for (const [, fs] of groupBy(silent, (f) => hp(f.addr(1), f.bport))) {
    const syns = fs.reduce((n, f) => n + f.d[0].syn, 0);
    if (syns < 2) continue;
    const f = fs[0]!;
    const spanUs = Math.max(...fs.map((x) => x.lastUs)) - Math.min(...fs.map((x) => x.firstUs));
    const alive = a.tcp.some((x) => x.addr(1) === f.addr(1) && x.synAcks > 0) || (a.echo.get(f.addr(1))?.replies ?? 0) > 0;
    const vars = { address: f.addr(1), port: f.bport, ms: Math.round(spanUs / 1000), iptables: f.ver === 6 ? 'ip6tables' : 'iptables' };
    const all = fs.flatMap((x) => x.d[0].synRefs).slice(0, 8);
    out.push(
      finding(
        TCP_002,
        lang,
        vars,
        [
          ev(lang, 'pcap.tcp', M.tcp002.syns({ syns, attempts: fs.length, dst: hp(f.addr(1), f.bport), secs: secs(spanUs), packets: nums(all) }), refs(all), {
            syns,
            attempts: fs.length,
          }),
        ],
        null,
        M.tcp002.explanation({ dst: hp(f.addr(1), f.bport), address: f.addr(1), hostAnswers: alive }),
      ),
    );
  }
  return out;
}

/** TCP-001: RST to SYN. */
function tcpRefused(j: Judging): Finding[] {
  const { lang, flows } = j;
  const out: Finding[] = [];
  for (const [, fs] of groupBy(
    flows.filter((f) => f.state === 'REJ'),
    (f) => hp(f.addr(1), f.bport),
  )) {
    const f = fs[0]!;
    const rst = f.d[1].rstRefs;
    out.push(
      finding(
        TCP_001,
        lang,
        { address: f.addr(1), port: f.bport },
        [
          ev(lang, 'pcap.tcp', M.tcp001.rst({ syns: nums(f.d[0].synRefs), rsts: nums(rst), address: f.addr(1), attempts: fs.length }), refs([...f.d[0].synRefs.slice(0, 2), ...rst.slice(0, 2)]), {
            attempts: fs.length,
          }),
        ],
        null,
        M.tcp001.explanation({ address: f.addr(1), port: f.bport }),
      ),
    );
  }
  return out;
}

/** APP-001: heartbeats that stop being answered; their flows go into `heartbeatFlows` (TCP-006 leaves them alone). */
function heartbeats(j: Judging, heartbeatFlows: Set<TcpFlow>): Finding[] {
  const { lang, flows } = j;
  const captureEndUs = j.a.lastUs;
  const out: Finding[] = [];
  for (const f of flows) {
    const hb = heartbeat(f, captureEndUs);
    if (!hb) continue;
    heartbeatFlows.add(f);
    const vars = { peer: hp(f.addr(1), f.bport), interval: secs(hb.intervalUs), timeout: '?', lost: hb.lost };
    out.push(
      finding(
        APP_001,
        lang,
        vars,
        [
          ev(
            lang,
            'pcap.tcp',
            M.app001.beats({ answered: hb.answered, interval: vars.interval, lost: hb.lost, firstLost: hb.firstLostN, connectionEnds: hb.connectionEnds }),
            [{ n: hb.firstLostN, ts: iso(hb.firstLostUs) }],
            { interval: hb.intervalUs / 1e6, answered: hb.answered, lost: hb.lost },
          ),
        ],
        M.app001.title({ peer: vars.peer, interval: vars.interval, lost: hb.lost }),
        M.app001.explanation({ interval: vars.interval, local: hp(f.addr(0), f.aport), peer: vars.peer, answered: hb.answered }),
      ),
    );
  }
  return out;
}

/** TCP-004: RST right after the handshake; TCP-006: a flow that dies after an idle gap. */
function resetOrIdle(j: Judging, heartbeatFlows: Set<TcpFlow>): Finding[] {
  const { lang, flows } = j;
  const out: Finding[] = [];
  for (const f of flows) {
    if (f.establishedN === 0 && f.synAcks === 0) continue;
    const est = f.establishedUs || f.synAckUs;
    if (f.firstRstDir === 1 && f.firstRstUs - est <= 1_000_000 && f.d[1].fin === 0 && f.d[1].payload === 0) {
      const ms = Math.round((f.firstRstUs - est) / 1000);
      out.push(
        finding(
          TCP_004,
          lang,
          { address: f.addr(1), port: f.bport, ms, event: 'RST' },
          [
            ev(lang, 'pcap.tcp', M.tcp004.rst({ established: f.establishedN || f.synAckN, address: f.addr(1), rst: f.firstRstN, ms, state: f.state }), [
              { n: f.establishedN || f.synAckN, ts: iso(est) },
              { n: f.firstRstN, ts: iso(f.firstRstUs) },
            ]),
          ],
          null,
          M.tcp004.explanation({ peer: hp(f.addr(1), f.bport), ms }),
        ),
      );
      continue;
    }
    if (heartbeatFlows.has(f)) continue;
    const idle = f.maxGapUs;
    if (idle < 1_000_000 || f.gapAfterN === 0 || f.gapAfterN <= (f.establishedN || f.synAckN)) continue;
    const closedBefore = f.d[0].fin > 0 && f.d[1].fin > 0 && f.d[1].rst === 0;
    if (closedBefore) continue;
    // After the gap: the peer answers only with a RST, or not at all (the client retransmits).
    const rstAfter = f.firstRstUs >= f.gapAfterUs && f.firstRstDir === 1;
    const deadAfter = f.afterGap[1] === 0 && f.afterGap[0] >= 2 && f.d[0].retrans > 0;
    const rstAfterAny = rstAfter && f.afterGap[1] <= f.d[1].rst;
    if (!rstAfterAny && !deadAfter) continue;
    const vars = { address: f.addr(1), port: f.bport, idleSec: secs(idle) };
    const summary = rstAfterAny
      ? M.tcp006.idleRst({ idleSec: secs(idle), before: f.gapBeforeN, after: f.gapAfterN, rst: f.firstRstN })
      : M.tcp006.idleDead({ idleSec: secs(idle), before: f.gapBeforeN, after: f.gapAfterN, sent: f.afterGap[0] });
    out.push(
      finding(
        TCP_006,
        lang,
        vars,
        [ev(lang, 'pcap.tcp', summary, [{ n: f.gapAfterN, ts: iso(f.gapAfterUs) }, ...(rstAfterAny ? [{ n: f.firstRstN, ts: iso(f.firstRstUs) }] : [])], { idleSec: idle / 1e6, state: f.state })],
        M.tcp006.title({ peer: hp(f.addr(1), f.bport), idleSec: vars.idleSec }),
        M.tcp006.explanation({ idleSec: vars.idleSec, rst: rstAfterAny }),
        tcp006Fix(idle),
      ),
    );
  }
  return out;
}

/** NET-009: frag-needed / packet-too-big, or full-size segments retransmitted while small ones pass. */
function pmtuBlackhole(j: Judging): Finding[] {
  const { a, lang, flows } = j;
  const out: Finding[] = [];
  if (a.fragNeeded.length > 0) {
    const fn = a.fragNeeded[0]!;
    const dst = fn.flow.replace(/^.*→ /, '').replace(/:\d+$/, '');
    out.push(
      finding(
        NET_009,
        lang,
        { dst, passes: fn.mtu, mtu: fn.mtu },
        a.fragNeeded.slice(0, 4).map((x) => ev(lang, 'pcap.icmp', M.net009.icmp({ v6: x.v6, from: x.from, mtu: x.mtu, flow: x.flow }), [{ n: x.n, ts: iso(x.tsUs) }], { mtu: x.mtu, from: x.from })),
        M.net009.icmpTitle({ dst, mtu: fn.mtu, from: fn.from }),
        M.net009.icmpExplanation({ from: fn.from, times: a.fragNeeded.length }),
      ),
    );
  } else {
    for (const f of flows) {
      for (const side of [0, 1] as const) {
        const s = f.d[side];
        if (s.bigRetrans < 2 || f.synAcks === 0) continue;
        // Never acknowledged: the peer's last ACK did not pass the first retransmitted segment.
        const peer = f.d[side === 0 ? 1 : 0];
        if (peer.lastAck >= 0 && ((peer.lastAck - s.bigRetransSeq) | 0) > 0) continue;
        const segment = s.bigRetransLen;
        const dst = f.addr(side === 0 ? 1 : 0);
        out.push(
          finding(
            NET_009,
            lang,
            { dst, passes: segment, mtu: segment },
            [
              ev(lang, 'pcap.tcp', M.net009.retrans({ retransmissions: s.bigRetrans, segment, dst, packets: nums(s.bigRetransRefs) }), refs(s.bigRetransRefs), {
                retransmissions: s.bigRetrans,
                segment,
                mss: peer.mss,
              }),
            ],
            M.net009.retransTitle({ dst }),
            M.net009.retransExplanation({ src: hp(f.addr(0), f.aport), dst: hp(f.addr(1), f.bport) }),
          ),
        );
        break;
      }
    }
  }
  return out;
}

/** NET-002: ARP requests never answered. */
function arpUnanswered(j: Judging): Finding[] {
  const { a, lang } = j;
  const out: Finding[] = [];
  for (const t of a.arp.values()) {
    if (t.requests < 3 || t.replies > 0) continue;
    out.push(
      finding(
        NET_002,
        lang,
        { gateway: t.ip },
        [ev(lang, 'pcap.arp', M.net002.arp({ requests: t.requests, ip: t.ip, packets: nums(t.refs) }), refs(t.refs), { requests: t.requests })],
        M.net002.title({ ip: t.ip, requests: t.requests }),
        M.net002.explanation({ ip: t.ip }),
      ),
    );
  }
  return out;
}

/** NET-004: echo requests to a MAC that is not the gateway's. */
function echoMisrouted(j: Judging): Finding[] {
  const { a, lang } = j;
  const out: Finding[] = [];
  const gw = gatewayMac(a);
  if (gw >= 0) {
    for (const e of a.echo.values()) {
      if (e.replies > 0 || e.requests < 2 || e.dstMac < 0 || e.dstMac === gw) continue;
      const owner = [...a.arpMac.entries()].find(([, m]) => m === macText(e.dstMac))?.[0];
      const gwIp = [...a.arpMac.entries()].find(([, m]) => m === macText(gw))?.[0];
      const mac = macText(e.dstMac);
      const expected = gwIp ? `${gwIp} (${macText(gw)})` : macText(gw);
      out.push(
        finding(
          NET_004,
          lang,
          { dst: e.dst, expected },
          [
            ev(lang, 'pcap.icmp', M.net004.echo({ requests: e.requests, dst: e.dst, mac, owner: owner ?? null, expected, packets: nums(e.refs) }), refs(e.refs), {
              dstMac: mac,
              gatewayMac: macText(gw),
            }),
          ],
          // The meta's title reads "goes {actual}": the capture says via whom in words of each language.
          M.net004.title({ dst: e.dst, owner: owner ?? null, mac, expected }),
          M.net004.explanation({ dst: e.dst, via: owner ?? mac, expected }),
        ),
      );
    }
  }
  return out;
}

/** DNS-002 / DNS-003 / DNS-005. */
/** DNS-002 / DNS-003 / DNS-005 from the queries about the target (or all of them). */
function dnsFindings(j: Judging): Finding[] {
  const { a, o } = j;
  const focus = a.dns.filter((q) => !o.targetHost || sameName(q.qname, o.targetHost) || isIpLiteral(o.targetHost));
  return [...nxdomainFindings(j, focus), ...rcodeFindings(j, focus), ...mismatchFindings(j, focus)];
}

type DnsQuery = Judging['a']['dns'][number];

function nxdomainFindings(j: Judging, dnsFocus: DnsQuery[]): Finding[] {
  const { lang } = j;
  const out: Finding[] = [];
  const nx = groupBy(
    dnsFocus.filter((q) => q.rcode === 3),
    (q) => q.qname.toLowerCase(),
  );
  for (const [name, qs] of nx) {
    const q = qs[0]!;
    out.push(
      finding(
        DNS_002,
        lang,
        { name },
        [
          ev(lang, 'pcap.dns', M.dns002.nxdomain({ qtype: QTYPES[q.qtype] ?? q.qtype, name, server: q.server, query: q.queryN, answer: q.responseN, answers: qs.length }), dnsRefs(q), {
            server: q.server,
            rcode: 'NXDOMAIN',
          }),
        ],
        null,
        M.dns002.explanation({ server: q.server, name }),
      ),
    );
  }
  return out;
}

function rcodeFindings(j: Judging, dnsFocus: DnsQuery[]): Finding[] {
  const { lang } = j;
  const out: Finding[] = [];
  const bad = groupBy(
    dnsFocus.filter((q) => q.rcode === 2 || q.rcode === 5 || q.rcode === 4 || q.rcode === 1),
    (q) => q.qname.toLowerCase(),
  );
  for (const [name, qs] of bad) {
    const q = qs[0]!;
    const rcodes = [...new Set(qs.map((x) => RCODES[x.rcode] ?? String(x.rcode)))];
    out.push(
      finding(
        DNS_003,
        lang,
        { name, rcodes: rcodes.join(', ') },
        qs.slice(0, 4).map((x) =>
          ev(lang, 'pcap.dns', M.dns003.rcode({ qtype: QTYPES[x.qtype] ?? x.qtype, name, rcode: RCODES[x.rcode] ?? x.rcode, server: x.server, query: x.queryN, answer: x.responseN }), dnsRefs(x), {
            server: x.server,
            rcode: RCODES[x.rcode] ?? x.rcode,
          }),
        ),
        null,
        M.dns003.explanation({ server: q.server, rcodes, name }),
      ),
    );
  }
  return out;
}

function mismatchFindings(j: Judging, dnsFocus: DnsQuery[]): Finding[] {
  const { o, lang } = j;
  const out: Finding[] = [];
  if (o.expectIp && o.expectIp.length > 0) {
    const want = new Set(o.expectIp);
    const wrong = dnsFocus.filter((q) => q.rcode === 0 && (q.qtype === 1 || q.qtype === 28) && q.answers.length > 0 && !q.answers.some((x) => want.has(x)));
    for (const [name, qs] of groupBy(wrong, (q) => q.qname.toLowerCase())) {
      const q = qs[0]!;
      const answers = [...q.answers];
      const expected = [...o.expectIp];
      out.push(
        finding(
          DNS_005,
          lang,
          { name, qtype: QTYPES[q.qtype] ?? q.qtype },
          [
            ev(lang, 'pcap.dns', M.dns005.answer({ qtype: QTYPES[q.qtype] ?? q.qtype, name, answers, server: q.server, answer: q.responseN, expected }), dnsRefs(q), {
              server: q.server,
              answers: q.answers,
              expected: o.expectIp,
            }),
          ],
          // The meta's title reads "…: {what}"; the capture's says the answers and the expected addresses in each language.
          M.dns005.title({ name, answers, expected }),
          M.dns005.explanation({ server: q.server, name, answers, expected }),
        ),
      );
    }
  }
  return out;
}

function dnsRefs(q: { queryN: number; queryUs: number; responseN: number; responseUs: number }): PacketEvidence[] {
  const r: PacketEvidence[] = [];
  if (q.queryN) r.push({ n: q.queryN, ts: iso(q.queryUs) });
  if (q.responseN) r.push({ n: q.responseN, ts: iso(q.responseUs) });
  return r;
}

/** TCP-006's fixes: the meta's summaries (their messages), the keepalive command below the silence. */
function tcp006Fix(idleUs: number): FixPart[] {
  // Below the silence that killed the flow, as the live rule does (a keepalive of 10 s would not
  // save a flow that died after 5 s idle).
  const keep = keepaliveBelow(idleUs / 1e6);
  const ids = registerMetaMessages(TCP_006).fix;
  return [
    {
      summary: { id: ids[0]!, params: { idleSec: secs(idleUs) } },
      command: `sysctl -w net.ipv4.tcp_keepalive_time=${keep} net.ipv4.tcp_keepalive_intvl=${Math.max(1, Math.floor(keep / 3))}`,
    },
    { summary: { id: ids[1]!, params: {} } },
  ];
}

/** Same code and title twice (e.g. two flows with the same alert) is one finding. */
function dedupe(fs: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of fs) {
    const k = `${f.code}|${f.title}`;
    const have = seen.get(k);
    if (have) {
      if (have.evidence.length < 6) have.evidence.push(...f.evidence.slice(0, 6 - have.evidence.length));
    } else seen.set(k, f);
  }
  return [...seen.values()];
}

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
const isIpLiteral = (s: string): boolean => /^[0-9.]+$/.test(s) || s.includes(':');

/**
 * The gateway's MAC: the destination MAC that carries IPv4 packets to the most distinct
 * addresses (a router forwards for many; a neighbour is one address). -1 when it cannot be told.
 */
export function gatewayMac(a: Analyzer): number {
  let best = -1;
  let bestN = 1;
  for (const [m, v] of a.macDsts) {
    if (m === 0xffffffffffff) continue;
    if (v.dsts.size > bestN) {
      best = m;
      bestN = v.dsts.size;
    }
  }
  return best;
}

interface Heartbeat {
  intervalUs: number;
  answered: number;
  lost: number;
  firstLostN: number;
  firstLostUs: number;
  /** The connection ends (FIN or RST) after the heartbeats stop being answered. */
  connectionEnds: boolean;
}

/**
 * Heartbeats: the originator's small messages at a steady interval (≥ 0.5 s, each gap within 30 %
 * of the median), the first ones answered by the peer, the last ones not.
 */
function heartbeat(f: TcpFlow, captureEndUs: number): Heartbeat | null {
  const t = f.d[0].dataTimes;
  const n = f.d[0].dataRefs;
  if (t.length < 4) return null;
  // Retransmissions sit close together; heartbeats are the first send of each beat.
  const beats: number[] = [];
  const beatN: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (beats.length > 0 && t[i]! - beats[beats.length - 1]! < 300_000) continue;
    beats.push(t[i]!);
    beatN.push(n[i]!);
  }
  if (beats.length < 4) return null;
  const gaps = beats.slice(1).map((x, i) => x - beats[i]!);
  const sorted = [...gaps].sort((x, y) => x - y);
  const med = sorted[Math.floor(sorted.length / 2)]!;
  if (med < 500_000) return null;
  if (gaps.filter((g) => Math.abs(g - med) <= med * 0.3).length < gaps.length * 0.75) return null;
  const replies = f.d[1].dataTimes;
  const answeredBy = (i: number): boolean => {
    const end = i + 1 < beats.length ? beats[i + 1]! : beats[i]! + med;
    return replies.some((r) => r > beats[i]! && r < end);
  };
  let lastAnswered = -1;
  for (let i = 0; i < beats.length; i++) if (answeredBy(i)) lastAnswered = i;
  if (lastAnswered < 1) return null;
  let lost = beats.length - 1 - lastAnswered;
  let connectionEnds = false;
  if (lost === 0) {
    // Answered to the end: do they stop while the connection (and capture) goes on?
    const last = beats[beats.length - 1]!;
    const connEnd = f.lastUs;
    if (connEnd - last < 2.5 * med && captureEndUs - last < 2.5 * med) return null;
    if (f.d[1].rst === 0 && f.d[0].rst === 0 && f.d[0].fin === 0 && connEnd - last < 2.5 * med) return null;
    lost = Math.max(1, Math.floor((Math.min(connEnd, captureEndUs) - last) / med) - 0);
    if (f.d[0].fin > 0 || f.d[0].rst > 0 || f.d[1].rst > 0) connectionEnds = true;
    return lost >= 2 ? { intervalUs: med, answered: beats.length, lost, firstLostN: f.lastN, firstLostUs: f.lastUs, connectionEnds } : null;
  }
  return { intervalUs: med, answered: lastAnswered + 1, lost, firstLostN: beatN[lastAnswered + 1]!, firstLostUs: beats[lastAnswered + 1]!, connectionEnds };
}

function alertName(desc: number): string {
  return ALERTS[desc] ?? `alert ${desc}`;
}

/** TLS alert → fault code, by who sent it. */
function alertCode(name: string, fromServer: boolean, certRequested: boolean): RuleMeta | null {
  if (fromServer) {
    if (name === 'handshake_failure') return certRequested ? TLS_007 : TLS_006;
    if (name === 'protocol_version' || name === 'insufficient_security') return TLS_006;
    if (name === 'certificate_required') return TLS_007;
    if (name === 'unrecognized_name') return TLS_003;
    if (certRequested && (name === 'bad_certificate' || name === 'unknown_ca' || name === 'certificate_unknown' || name === 'certificate_expired')) return TLS_007;
    return null;
  }
  if (name === 'certificate_expired') return TLS_001;
  if (name === 'unknown_ca' || name === 'bad_certificate' || name === 'certificate_unknown') return TLS_004;
  if (name === 'protocol_version' || name === 'insufficient_security' || name === 'handshake_failure') return TLS_006;
  return null;
}

interface TlsSeen {
  f: TcpFlow;
  o: JudgeOptions;
  lang: Lang;
  ce: Array<{ e: TlsEvent; n: number; tsUs: number }>;
  se: Array<{ e: TlsEvent; n: number; tsUs: number }>;
  hello: { e: TlsEvent; n: number; tsUs: number } | undefined;
  sh: { e: TlsEvent; n: number; tsUs: number } | undefined;
  sni: string | null;
  server: string;
  certReq: boolean;
  /** The ClientHello and ServerHello as evidence, for every TLS finding of the flow. */
  ctx: Evidence[];
}

/** What the flow's TLS records show: both sides' handshake events and the hellos as evidence. */
function tlsSeen(f: TcpFlow, o: JudgeOptions, lang: Lang): TlsSeen | null {
  const c = f.d[0].tls;
  const s = f.d[1].tls;
  if (!c && !s) return null;
  const events = (st: typeof c): Array<{ e: TlsEvent; n: number; tsUs: number }> => (st ? st.events.map((e, i) => ({ e, n: st.eventPackets[i]!, tsUs: st.eventTimes[i]! })) : []);
  const ce = events(c);
  const se = events(s);
  const hello = ce.find((x) => x.e.kind === 'clientHello');
  const sh = se.find((x) => x.e.kind === 'serverHello');
  const sni = hello?.e.sni ?? (o.targetHost && !isIpLiteral(o.targetHost) ? o.targetHost : null);
  const server = sni ? `${sni} (${hp(f.addr(1), f.bport)})` : hp(f.addr(1), f.bport);
  const certReq = se.some((x) => x.e.kind === 'certificateRequest');
  const ctx: Evidence[] = [];
  if (hello) {
    const versions = (hello.e.versions ?? []).map(tlsVersionName);
    ctx.push(ev(lang, 'pcap.tls', M.tls.clientHello({ n: hello.n, sni: hello.e.sni ?? null, versions }), [{ n: hello.n, ts: iso(hello.tsUs) }], { sni: hello.e.sni ?? null, versions }));
  }
  if (sh) {
    const version = tlsVersionName(sh.e.version ?? 0);
    const cipher = `0x${(sh.e.cipher ?? 0).toString(16).padStart(4, '0')}`;
    ctx.push(ev(lang, 'pcap.tls', M.tls.serverHello({ n: sh.n, version, cipher }), [{ n: sh.n, ts: iso(sh.tsUs) }], { version, cipher: sh.e.cipher }));
  }
  return { f, o, lang, ce, se, hello, sh, sni, server, certReq, ctx };
}

/** TLS-001/002/003/004… from a certificate chain sent in the clear; returns the codes found and the issuer. */
function certFindings(t: TlsSeen, out: Finding[]): { certCodes: Set<string>; issuer: string } {
  const { f, lang, se, sni, server, ctx } = t;
  // Certificate chain (TLS ≤ 1.2 sends it in the clear).
  const cert = se.find((x) => x.e.kind === 'certificate');
  const certCodes = new Set<string>();
  let issuer = '';
  if (cert?.e.certs && cert.e.certs.length > 0) {
    let leaf: X509Certificate | null = null;
    try {
      leaf = new X509Certificate(cert.e.certs[0]!);
    } catch {
      leaf = null;
    }
    if (leaf) {
      issuer = leaf.issuer.replace(/\n/g, ', ');
      const at = cert.tsUs / 1000;
      const notAfter = Date.parse(leaf.validTo);
      const notBefore = Date.parse(leaf.validFrom);
      const subject = leaf.subject.replace(/\n/g, ', ');
      const chainText = M.tls.certificate({
        n: cert.n,
        chain: cert.e.certs.length,
        subject,
        notBefore: isoMs(notBefore),
        notAfter: isoMs(notAfter),
        sans: leaf.subjectAltName ?? null,
      });
      const certEv = ev(lang, 'pcap.tls', chainText, [{ n: cert.n, ts: iso(cert.tsUs) }], {
        subject,
        notBefore: isoMs(notBefore),
        notAfter: isoMs(notAfter),
        sans: leaf.subjectAltName ?? null,
        chain: cert.e.certs.length,
      });
      const atIso = isoMs(at);
      if (Number.isFinite(notAfter) && notAfter < at) {
        const days = Math.floor((at - notAfter) / 86400000);
        certCodes.add('TLS-001');
        out.push(finding(TLS_001, lang, { server, days, notAfter: isoMs(notAfter), subject, at: atIso }, [certEv, ...ctx], null, M.tls.expired({ server, days, notAfter: isoMs(notAfter) })));
      } else if (Number.isFinite(notBefore) && notBefore > at) {
        const days = Math.ceil((notBefore - at) / 86400000);
        certCodes.add('TLS-002');
        out.push(finding(TLS_002, lang, { server, days, notBefore: isoMs(notBefore), subject, at: atIso }, [certEv, ...ctx], null, M.tls.notYetValid({ server, notBefore: isoMs(notBefore), days })));
      }
      if (sni && !isIpLiteral(sni) && leaf.checkHost(sni) === undefined) {
        certCodes.add('TLS-003');
        out.push(
          finding(
            TLS_003,
            lang,
            { server, name: sni, subject, sans: leaf.subjectAltName ?? '' },
            [certEv, ...ctx],
            null,
            M.tls.hostnameMismatch({ name: sni, peer: hp(f.addr(1), f.bport), covers: leaf.subjectAltName ?? subject }),
          ),
        );
      }
    }
  }
  return { certCodes, issuer };
}

const GENERIC_CERT_REJECTIONS = new Set(['bad_certificate', 'certificate_unknown', 'unsupported_certificate', 'certificate_expired']);

/** The TLS codes the plaintext alerts name (an alert a certificate finding already explains joins its evidence). */
function alertFindings(t: TlsSeen, out: Finding[], certCodes: Set<string>, issuer: string): void {
  const { f, lang, ce, se, hello, sni, server, certReq, ctx } = t;
  // Alerts (plaintext ones: before the encryption starts).
  for (const [list, fromServer] of [
    [se, true],
    [ce, false],
  ] as const) {
    for (const x of list) {
      if (x.e.kind !== 'alert' || x.e.description === 0) continue;
      const name = alertName(x.e.description ?? -1);
      const meta = alertCode(name, fromServer, certReq);
      const who = fromServer ? f.addr(1) : f.addr(0);
      const alertEv = ev(lang, 'pcap.tls', M.tls.alert({ alert: name, fatal: x.e.level === 2, fromServer, who, n: x.n }), [{ n: x.n, ts: iso(x.tsUs) }], {
        alert: name,
        level: x.e.level,
        from: fromServer ? 'server' : 'client',
      });
      if (!meta) continue;
      // The client's rejection joins the certificate finding the chain itself shows: the same code, or
      // any of them when the alert is a generic one (OpenSSL answers a not-yet-valid certificate with
      // bad_certificate, others with certificate_unknown). unknown_ca names a problem of its own.
      const explainedBy = certCodes.has(meta.code) ? meta.code : !fromServer && GENERIC_CERT_REJECTIONS.has(name) ? [...certCodes][0] : undefined;
      if (explainedBy) {
        const have = out.find((y) => y.code === explainedBy);
        have?.evidence.push(alertEv);
        continue;
      }
      const vars: Record<string, string> = { server, alert: name, name: sni ?? f.addr(1), ...(issuer ? { issuer } : {}) };
      const explanation = fromServer
        ? M.tls.serverAlert({ server, alert: name, versions: hello ? (hello.e.versions ?? []).map(tlsVersionName) : null, certRequested: certReq })
        : M.tls.clientAlert({ server, alert: name });
      out.push(
        finding(
          meta,
          lang,
          vars,
          [alertEv, ...ctx],
          meta === TLS_001 || meta === TLS_004 ? M.tls.rejectsCertificate({ server, alert: name }) : meta === TLS_003 ? M.tls.unknownName({ server, name: sni, alert: name }) : null,
          explanation,
        ),
      );
    }
  }
}

function tlsFindings(f: TcpFlow, o: JudgeOptions, lang: Lang): Finding[] {
  const t = tlsSeen(f, o, lang);
  if (!t) return [];
  const out: Finding[] = [];
  const { certCodes, issuer } = certFindings(t, out);
  alertFindings(t, out, certCodes, issuer);
  return out;
}
