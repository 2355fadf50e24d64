/**
 * `--help` in Chinese: one catalog of the help texts, applied to the command tree when zh is chosen
 * (buildProgram). The command files keep their English descriptions; nothing here repeats a command
 * definition. Commander's own words (Usage:, Options:, "display help for command", default notes)
 * and its width arithmetic (a Chinese character is two columns wide, a line may break between two
 * of them) are replaced through `configureHelp` on every command. English help is untouched.
 *
 * Keys are the command path as typed: "netdx firewall check" (its description), then a flag
 * ("netdx diagnose --port", the long flag when there is one) or an argument ("netdx route explain
 * <dst>"). Texts that read the same wherever they appear are in SHARED_ZH, keyed by their English.
 * help-zh.test.ts walks the whole tree and fails when a command, option or argument has no zh text.
 */
import { Help, type Argument, type Command, type Option } from 'commander';

/** A zh text, or one built from the English text (for values the code puts into it: defaults, host lists). */
export type ZhText = string | ((en: string) => string);

/** The default in an English text's "(default X)". */
const dflt = (en: string): string => /\(default:? ([^)]*)\)/.exec(en)?.[1] ?? '';
/** The list after `marker` in an English text, as a Chinese list: "a, b" or "a | b" → "a、b". */
const list = (en: string, marker: string): string =>
  en
    .slice(en.indexOf(marker) + marker.length)
    .replace(/\)$/, '')
    .split(/\s*[,|]\s*/)
    .join('、');

export const HELP_ZH: Record<string, ZhText> = {
  netdx: '找出客户端为什么连不上服务器：根本原因、证据和修复方法。',

  'netdx diagnose': '诊断为什么无法访问 TARGET：主机 → DNS → 网络 → 隧道 → 传输 → TLS → 应用',
  'netdx diagnose <target>': 'HOST、HOST:PORT、[IPv6]:PORT，或 tcp:// tls:// http:// https:// URL',
  'netdx diagnose --port': '服务端口（为单独的主机名加上 TCP/TLS 检查）',
  'netdx diagnose --sni': '要发送的 TLS 服务器名称（默认：目标主机名）',
  'netdx diagnose --timeout': '总时间预算，例如 10s（默认 10s）',
  'netdx diagnose --ca': '要信任的 CA 证书 PEM 文件，代替系统证书库',
  'netdx diagnose --cert': '双向 TLS 的客户端证书（PEM）',
  'netdx diagnose --key': '双向 TLS 的客户端私钥（PEM）',
  'netdx diagnose --pin': '预期的证书：sha256:<十六进制指纹> 或 sha256/<base64 SPKI>',
  'netdx diagnose --tls-min': '提供的最低 TLS 版本（1.0 … 1.3）',
  'netdx diagnose --tls-max': '提供的最高 TLS 版本（1.0 … 1.3）',
  'netdx diagnose --count': 'ICMP 回显请求的个数（默认 10 个，间隔 5 ms：足以看出丢包）',
  'netdx diagnose --warn-days': '证书到期的提前告警天数（默认 30）',
  'netdx diagnose --tunnel': '应当承载目标流量的隧道接口（无论路由如何，都检查隧道层）',
  'netdx diagnose --tunnel-idle': '同时运行隧道空闲测试（VPN-007），空闲时间最长到此值，例如 60s',
  'netdx diagnose --idle': '空闲保持测试：空闲连接能存活多久，最长到 MAX（例如 300s）— TCP-006',
  'netdx diagnose --backlog': 'accept 队列测试：N 个并行连接 — TCP-005',
  'netdx diagnose --heartbeat': "应用心跳，例如 'send=PING;expect=PONG;every=10s[;count=3][;timeout=2s]' — APP-001",
  'netdx diagnose --responder': '服务器上或其旁边的 netdx responder：检查 NAT、MSS 钳制、各方向丢包、回程 MTU、时钟偏差',
  'netdx diagnose --capture': '用 tcpdump 把诊断自身的报文录到 FILE，并把其中看到的内容加入报告',

  'netdx faults': '列出故障代码，或解释其中一个（证据、修复方法、是否已检查）',
  'netdx faults <code>': '故障代码（NET-001）或其简称（no-route）',
  'netdx faults --json': '以 JSON 输出所有元数据（每个代码，两种语言）',
  'netdx faults --markdown': '以 Markdown 输出故障手册（两种语言；docs/faults.md）',

  'netdx collect': '把本机的网络状态（链路、路由、策略规则、邻居、解析器文件、防火墙、sysctl、套接字）写成快照 JSON；只读',
  'netdx collect --out': '写入 FILE，而不是标准输出',
  'netdx collect --pretty': '缩进 JSON',
  'netdx collect --only': (en) => `只收集其中几部分，以逗号分隔，可选：${list(en, ': ')}`,

  'netdx firewall': '离线评估本机防火墙（iptables、ip6tables、nftables）对一条流的处理',
  'netdx firewall check': '哪条链中的哪条规则决定了一条流：给出判定和经过的每条规则（退出码 0 表示 ACCEPT，2 表示 DROP/REJECT，1 表示 UNKNOWN）',
  'netdx firewall check --proto': '协议：tcp、udp、icmp 或 icmpv6（默认 tcp）',
  'netdx firewall check --src': '源地址（默认：内核为 OUTPUT 选择的地址）',
  'netdx firewall check --sport': '源端口',
  'netdx firewall check --dport': '目的端口（tcp、udp）',
  'netdx firewall check --chain': 'OUTPUT（本机发出）、INPUT（本机接收）或 FORWARD（本机转发）；默认 OUTPUT',
  'netdx firewall check --iif': '入接口（默认：由路由得出）',
  'netdx firewall check --oif': '出接口（默认：由路由得出）',
  'netdx firewall check --state': 'NEW（首个报文，默认）或 ESTABLISHED',
  'netdx firewall check --mark': '套接字设置的报文标记（SO_MARK）',
  'netdx firewall check --no-replies': '不检查回复方向',
  'netdx firewall check --snapshot': '评估 `netdx collect` 生成的快照，而不是本机',
  'netdx firewall check --json': '以 JSON 输出（字段 verdict、trace、rule、reason 等）',

  'netdx route': '离线解释内核的选路：依据路由表和策略规则',
  'netdx route explain': '哪条路由和策略规则承载 DST、哪些候选参与了竞争以及原因（有路由时退出码 0，没有时 2）',
  'netdx route explain --from': '源地址（策略规则的 `from`）',
  'netdx route explain --mark': 'fwmark（策略规则的 `fwmark`）',
  'netdx route explain --iif': '入接口：查找一个被转发报文的路由',
  'netdx route explain --oif': '套接字绑定的出接口',
  'netdx route explain --snapshot': '解释 `netdx collect` 生成的快照，而不是本机',
  'netdx route explain --json': '以 JSON 输出（字段 route、candidates、rules 等）',

  'netdx analyze': '判定在别处采集的快照（`netdx collect`）：执行所有不需要探测的检查',
  'netdx analyze <snapshot>': '快照文件（`netdx collect` 输出的 JSON；- 表示标准输入）',
  'netdx analyze --target': '该机器无法访问的 HOST、HOST:PORT 或 URL',
  'netdx analyze --port': '服务端口',
  'netdx analyze --tunnel': '应当承载目标流量的隧道接口（无论路由如何都会判定）',

  'netdx trace': '追踪到 TARGET 的路径：每一跳的丢包和 RTT（类似 mtr），所有跳并行探测',
  'netdx trace <target>': 'HOST、IP 或 HOST:PORT（带端口时默认向该端口发 TCP-SYN 探测）',
  'netdx trace --proto': '协议：icmp、udp 或 tcp（默认：目标带端口时为 tcp，否则为 icmp）',
  'netdx trace --port': 'tcp/udp 探测的目的端口',
  'netdx trace --count': (en) => `每一跳的探测次数（默认 ${dflt(en)}）`,
  'netdx trace --paths': '要追踪的流数：改变五元组以发现并行（负载均衡）路径（默认 1）',
  'netdx trace --max-hops': (en) => `最大 TTL（默认 ${dflt(en)}）`,
  'netdx trace --interval': (en) => `两轮探测之间的间隔，单位 ms（默认 ${dflt(en)}）`,
  'netdx trace --json': '以 JSON 输出（netdx.trace/v1）',

  'netdx pcap': '读取 tcpdump/Wireshark 抓包文件（pcap、pcapng；- 表示标准输入），以报文为证据指出故障',
  'netdx pcap <file>': '抓包文件，或用 - 读取标准输入（tcpdump -w - | netdx pcap -）',
  'netdx pcap --filter': '只分析匹配类 BPF 表达式的报文：host、net、port、portrange、src/dst、tcp、udp、icmp、icmp6、ip、ip6、arp，以及 and/or/not',
  'netdx pcap --target': '把发现聚焦到这个主机（名称或地址）和端口',
  'netdx pcap --expect-ip': '目标名称应当解析到的地址（可重复）：应答不一致时报告 DNS-005',
  'netdx pcap --json': '输出 JSON 报告（带抓包信息的 netdx.report/v1）',

  'netdx monitor': '监控多个目标：每个周期做一次轻量检查，失败时做完整诊断；提供 Prometheus /metrics、blackbox 风格的 /probe 和 /api',
  'netdx monitor --config': 'YAML 配置：周期和目标（docs/monitor.md）',
  'netdx monitor --listen': (en) => `/metrics、/probe 和 /api 的 HTTP 地址（默认 ${dflt(en)}）`,
  'netdx monitor --data': '历史存储目录（状态变化和报告在重启后保留）',
  'netdx monitor --lang': 'en 或 zh（默认取自 LANG）：消息和报告的语言',

  'netdx lab': '命名空间故障实验环境：真实的网络，每次注入一个故障（需要 root）',
  'netdx lab up': (en) => `搭建实验环境并保持运行（主机：${list(en, 'hosts: ')}）`,
  'netdx lab down': '拆除保留的实验环境，以及崩溃的运行遗留下的一切',
  'netdx lab exec': '在运行中的实验环境的某台主机内执行命令：netdx lab exec HOST -- CMD [ARGS…]',
  'netdx lab exec <host>': (en) => `实验主机：${list(en, '')}`,
  'netdx lab exec <cmd>': '要执行的命令及其参数',
  'netdx lab run': '搭建实验环境，运行场景，打印结果表，然后拆除',
  'netdx lab run --only': '只运行这些场景（ID、ID 前缀如 tls-006，或通配符如 dns-*）',
  'netdx lab run --json': '以 JSON 输出结果（netdx.lab/v1）',
  'netdx lab run --keep': '结束后保留实验环境（netdx lab exec / down）',
  'netdx lab run --no-pending': '跳过故障代码仍处于待定状态的场景',
  'netdx lab run --repeat': '在同一次搭建的实验环境上把所选场景运行 N 次（用于衡量不稳定性）',
  'netdx lab run --reports': '把每个场景的完整报告（JSON）写入 DIR/ID[.N].json',
  'netdx lab demo': '搭建实验环境，逐个运行场景并展示每次诊断，最后打印结果表',
  'netdx lab demo --only': '只运行这些场景',
  'netdx lab fleet-demo': '跨机群的现场案例：3 个区域的代理和一台服务器；注入上海的错误路由，观察事件被定位和恢复',
  'netdx lab fleet-demo --agents': '每个区域的代理数',
  'netdx lab fleet-demo --interval': '代理的检查周期（秒）',
  'netdx lab fleet-demo --json': '以 JSON 输出结果',
  'netdx lab list': '列出场景（预期代码、待定问题单）以及还没有场景的故障代码',

  'netdx load': '对 TARGET 做负载测试：按速率发起连接 / TLS 握手 / HTTP 请求，给出延迟百分位、以故障代码归类的错误和拐点；对 netdx responder 测吞吐量',
  'netdx load <target>': 'HOST:PORT、[IPv6]:PORT，或 tcp:// tls:// http:// https:// URL',
  'netdx load --connections': '满负载时同时进行的连接数（默认 10，最多 10000）',
  'netdx load --rate': '满负载时每秒的尝试次数，例如 500/s（默认：连接数允许的最快速度；超过 2000/s 需要 --allow-heavy）',
  'netdx load --duration': '运行时长，例如 10s（默认 10s；超过 60s 需要 --allow-heavy；最长 600s）',
  'netdx load --steps': '负载分 N 个相等的台阶增长到满负载；第一个失败的台阶就是拐点（默认 5）',
  'netdx load --timeout': '单次尝试的时间上限（默认 5s）',
  'netdx load --tls': '连接后做 TLS 握手',
  'netdx load --http': '连接后对 PATH 发起 HTTP GET（带 --tls 或 https:// 目标时走 TLS）',
  'netdx load --sni': 'TLS 服务器名称（默认：目标主机名）',
  'netdx load --ca': '要信任的 CA 证书 PEM 文件',
  'netdx load --insecure': '不校验服务器证书',
  'netdx load --bytes': '对 --responder 测吞吐量：每个流每个方向的字节数，例如 100M',
  'netdx load --streams': '吞吐量测试的并行流数（默认 1）',
  'netdx load --responder': '一个运行中的 `netdx responder`（在服务器上或其旁边）',
  'netdx load --allow-heavy': '允许超过 2000/s 的速率或超过 60s 的运行（只能针对你自己的主机）',
  'netdx load --json': '以 JSON 输出结果（netdx.load/v1）',

  'netdx responder': '在服务器上（或其旁边）运行 netdx responder：告诉客户端收到了什么，提供回显、吞吐量、DF 数据报和空闲保持',
  'netdx responder --listen': '监听的地址和端口（TCP 和 UDP），例如 203.0.113.2:4790 或 [2001:db8::2]:4790',
  'netdx responder --token': '共享密钥；比请求更大的应答需要它（或 NETDX_RESPONDER_TOKEN）',
  'netdx responder --tls-cert': '证书（PEM），用于同时接受 TLS 连接',
  'netdx responder --max-connections': '同时的连接数（默认 10000）',

  'netdx server': '运行机群服务器：代理向它报告，它把失败归并为事件并找出失败者的共同点；提供网页、/api 和 /metrics',
  'netdx server --listen': (en) => `监听地址（默认 ${dflt(en)}）`,
  'netdx server --targets': '代理的目标列表：monitor 的 YAML 配置（docs/monitor.md）；收到 SIGHUP 时重新加载',
  'netdx server --tls-cert': '用这个证书（PEM）提供 HTTPS',
  'netdx server --heartbeat': '代理心跳的间隔秒数（默认 10）',
  'netdx server token': '管理代理和操作员的令牌',
  'netdx server token create': '创建令牌；输出的最后一行只有令牌本身',
  'netdx server token create --name': '令牌绑定的代理（或操作员）名称',
  'netdx server token create --labels': '代理的标签，例如 region=sh,site=sh-01',
  'netdx server token create --operator': '给人用的令牌（API 和网页），不是给代理的',
  'netdx server token revoke': '吊销 NAME 的所有有效令牌（或按 ID 吊销一个令牌）',
  'netdx server token revoke --name': '代理或操作员名称，或令牌 ID',
  'netdx server token list': '列出令牌（名称、类型、标签；从不显示令牌本身）',

  'netdx agent': '运行机群代理：监控服务器指定的目标，向它报告状态变化和报告，并响应它的“立即诊断”请求',
  'netdx agent --server': '机群服务器，http(s)://HOST:PORT',
  'netdx agent --token': '本代理的令牌，来自 `netdx server token create`（或 NETDX_AGENT_TOKEN）',
  'netdx agent --name': '本代理的名称（必须与令牌的一致；默认取令牌的）',
  'netdx agent --data': '发件箱目录：服务器不可达时报告暂存在这里',
};

/** Texts that read the same wherever they appear, keyed by their English: commander's own and options several commands share. */
export const SHARED_ZH: Record<string, string> = {
  'display help for command': '显示命令的帮助',
  'output the version number': '显示版本号',
  'en | zh (default from LANG)': 'en 或 zh（默认取自 LANG）',
  'print the JSON report (netdx.report/v1)': '输出 JSON 报告（netdx.report/v1）',
  'text | json | markdown': '输出格式：text、json 或 markdown',
  'tcp | tls | http | https | icmp': '协议：tcp、tls、http、https 或 icmp',
  'the address the name should resolve to (repeatable)': '名称应当解析到的地址（可重复）',
  'the gateway the route should use': '路由应当使用的网关',
  'the responder token (or NETDX_RESPONDER_TOKEN)': 'responder 的令牌（或 NETDX_RESPONDER_TOKEN）',
  'private key (PEM) of --tls-cert': '--tls-cert 的私钥（PEM）',
  'destination address': '目的地址',
  'directory of the embedded SQLite store (default: ./netdx-fleet)': '内置 SQLite 存储的目录（默认：./netdx-fleet）',
  'PostgreSQL instead of SQLite: postgres://USER:PASSWORD@HOST:PORT/DB (or NETDX_DB)': '用 PostgreSQL 代替 SQLite：postgres://USER:PASSWORD@HOST:PORT/DB（或 NETDX_DB）',
};

/** Commander's headings. */
const TITLES: Record<string, string> = { 'Usage:': '用法：', 'Arguments:': '参数：', 'Options:': '选项：', 'Global Options:': '全局选项：', 'Commands:': '命令：' };

/** One thing the help shows: a command (its description), an option or an argument. */
export interface HelpItem {
  key: string;
  en: string;
}

/** The key of a command: its path as typed, from the program's name. */
export function commandKey(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const optionKey = (cmdKey: string, o: Option): string => `${cmdKey} ${o.long ?? o.short ?? o.flags}`;
const argumentKey = (cmdKey: string, a: Argument): string => `${cmdKey} <${a.name()}>`;
/** A subcommand's key: the implicit help command has no parent, so it is named under the command that lists it. */
const subKey = (parent: Command, sub: Command): string => (sub.parent === parent ? commandKey(sub) : `${commandKey(parent)} ${sub.name()}`);

/** Everything the help of `program` and of every command under it shows, with its key. */
export function helpItems(program: Command): HelpItem[] {
  const out: HelpItem[] = [];
  const help = new Help();
  const walk = (cmd: Command): void => {
    const key = commandKey(cmd);
    out.push({ key, en: cmd.description() });
    for (const a of cmd.registeredArguments) out.push({ key: argumentKey(key, a), en: a.description });
    for (const o of help.visibleOptions(cmd)) out.push({ key: optionKey(key, o), en: o.description });
    for (const sub of help.visibleCommands(cmd)) if (!cmd.commands.includes(sub)) out.push({ key: subKey(cmd, sub), en: sub.description() });
    for (const sub of cmd.commands) walk(sub);
  };
  walk(program);
  return out;
}

/** The zh text of a help item, or undefined when the catalog has none. */
export function zhFor(key: string, en: string): string | undefined {
  const z = HELP_ZH[key];
  if (z !== undefined) return typeof z === 'function' ? z(en) : z;
  return SHARED_ZH[en];
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/gu;
const OPEN = '（「『“《';
const CLOSE = '，。、；：）」』”》！？';
/**
 * The pieces a Chinese line may break between: an ASCII word (with its leading spaces), or one wide
 * character; opening punctuation stays with what follows it, closing punctuation with what precedes it.
 */
const CHUNK = new RegExp(`\\s*[${OPEN}]*(?:[^\\s\\u1100-\\u115f\\u2e80-\\ua4cf\\uac00-\\ud7a3\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uff60\\uffe0-\\uffe6]+|[^\\s])[${CLOSE}]*`, 'gu');

/** Columns a string takes in a terminal: a Chinese character takes two. ANSI colour codes take none. */
export function displayWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  const plain = s.replace(/\x1b\[\d*(?:;\d*)*m/g, '');
  return plain.length + (plain.match(WIDE)?.length ?? 0);
}

/** Wraps at spaces and between Chinese characters, to `width` columns (like commander's boxWrap). */
export function wrapZh(str: string, width: number, minWidthToWrap = 40): string {
  if (width < minWidthToWrap) return str;
  const out: string[] = [];
  for (const line of str.split(/\r\n|\n/)) {
    const chunks = line.match(CHUNK);
    if (chunks === null) {
      out.push('');
      continue;
    }
    let cur = chunks.shift()!;
    let w = displayWidth(cur);
    for (const c of chunks) {
      const cw = displayWidth(c);
      if (w + cw <= width) {
        cur += c;
        w += cw;
        continue;
      }
      out.push(cur);
      cur = c.trimStart();
      w = displayWidth(cur);
    }
    out.push(cur);
  }
  return out.join('\n');
}

/** A description with commander's notes (default, choices, preset, env) in Chinese. */
function withNotes(text: string, notes: string[]): string {
  return notes.length === 0 ? text : `${text}（${notes.join('，')}）`;
}

const json = (v: unknown): string => JSON.stringify(v);

function optionNotes(o: Option): string[] {
  const notes: string[] = [];
  if (o.argChoices) notes.push(`可选值：${o.argChoices.map(json).join('、')}`);
  if (o.defaultValue !== undefined && (o.required || o.optional || (o.isBoolean() && typeof o.defaultValue === 'boolean'))) notes.push(`默认：${o.defaultValueDescription || json(o.defaultValue)}`);
  if (o.presetArg !== undefined && o.optional) notes.push(`预设：${json(o.presetArg)}`);
  if (o.envVar !== undefined) notes.push(`环境变量：${o.envVar}`);
  return notes;
}

function argumentNotes(a: Argument): string[] {
  const notes: string[] = [];
  if (a.argChoices) notes.push(`可选值：${a.argChoices.map(json).join('、')}`);
  if (a.defaultValue !== undefined) notes.push(`默认：${a.defaultValueDescription || json(a.defaultValue)}`);
  return notes;
}

const usageZh = (s: string): string => s.replace(/\[options\]/g, '[选项]').replace(/\[command\]/g, '[命令]');

/** Makes `program`'s help, and that of every command under it, speak Chinese. */
export function helpInChinese(program: Command): void {
  const apply = (cmd: Command): void => {
    const key = commandKey(cmd);
    const zh = (k: string, en: string): string => zhFor(k, en) ?? en;
    cmd.configureHelp({
      ...cmd.configureHelp(),
      styleTitle: (s: string) => TITLES[s] ?? s,
      commandUsage(this: Help, c: Command) {
        return usageZh(Help.prototype.commandUsage.call(this, c));
      },
      subcommandTerm(this: Help, c: Command) {
        return usageZh(Help.prototype.subcommandTerm.call(this, c));
      },
      commandDescription: (c: Command) => zh(commandKey(c), c.description()),
      subcommandDescription: (sub: Command) => zh(subKey(cmd, sub), sub.summary() || sub.description()),
      optionDescription: (o: Option) => withNotes(zh(optionKey(key, o), o.description), optionNotes(o)),
      argumentDescription: (a: Argument) => withNotes(zh(argumentKey(key, a), a.description), argumentNotes(a)),
      displayWidth,
      boxWrap(this: Help, str: string, width: number) {
        return wrapZh(str, width, this.minWidthToWrap);
      },
      formatHelp(this: Help, c: Command, helper: Help) {
        // "用法：netdx …": no space after a full-width colon.
        return Help.prototype.formatHelp.call(this, c, helper).replace(/^用法： /, '用法：');
      },
    });
    for (const sub of cmd.commands) apply(sub);
  };
  apply(program);
}
