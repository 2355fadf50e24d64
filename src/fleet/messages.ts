/**
 * The fleet's message catalog (en, zh): the server's and the agent's lines on stderr, CLI errors,
 * the incident summaries and every word of the web page. Same `fill` placeholders as the others.
 */
import type { Lang, Text } from '../model/layer.js';
import { catalogLookup } from '../model/fault.js';

export const FLEET_MESSAGES = {
  // CLI and daemons
  'cli.labels': { en: "--labels '{value}': expected k=v pairs separated by commas, e.g. region=sh,site=sh-01", zh: "--labels '{value}' 无效：应为以逗号分隔的 k=v，如 region=sh,site=sh-01" },
  'cli.name': { en: "--name '{value}': expected 1–128 letters, digits, '.', '_' or '-'", zh: "--name '{value}' 无效：应为 1–128 个字母、数字、'.'、'_' 或 '-'" },
  'cli.server': { en: "--server '{value}': expected http://HOST:PORT or https://HOST:PORT", zh: "--server '{value}' 无效：应为 http://主机:端口 或 https://主机:端口" },
  'cli.db': { en: "--db '{value}': expected postgres://USER:PASSWORD@HOST:PORT/DB", zh: "--db '{value}' 无效：应为 postgres://用户:密码@主机:端口/库名" },
  'cli.token': {
    en: '--token: required (or NETDX_AGENT_TOKEN); create one on the server with: netdx server token create --name {name} --labels region=…',
    zh: '--token：必填（或设置 NETDX_AGENT_TOKEN）；在服务器上创建：netdx server token create --name {name} --labels region=…',
  },
  'cli.heartbeat': { en: "--heartbeat '{value}': expected seconds from 1 to 3600", zh: "--heartbeat '{value}' 无效：应为 1 到 3600 之间的秒数" },
  'cli.tls': { en: '--tls-cert and --tls-key go together', zh: '--tls-cert 与 --tls-key 必须同时给出' },
  'cli.read': { en: "cannot read '{file}' ({code})", zh: "无法读取 '{file}'（{code}）" },
  'cli.targetsYaml': { en: '{file}: not valid YAML: {why}', zh: '{file}：不是有效的 YAML：“{why}”' },
  'cli.targetsList': { en: "{file}: expected a 'targets' list (the monitor's config format, docs/monitor.md)", zh: "{file}：应有 'targets' 列表（即 monitor 的配置格式，见 docs/monitor.md）" },
  'cli.storeFailed': { en: 'cannot open the fleet store {where}: {why}', zh: '无法打开集群存储 {where}：{why}' },
  'token.created': { en: 'created {kind} token for {name}{labels}; keep it secret, it is shown only once:', zh: '已为 {name}{labels} 创建{kind}令牌；请妥善保管，令牌只显示这一次：' },
  'token.kind.agent': { en: 'agent', zh: '代理' },
  'token.kind.operator': { en: 'operator', zh: '运维' },
  'token.live': { en: 'live', zh: '有效' },
  'token.revokedAt': { en: 'revoked {at}', zh: '已于 {at} 吊销' },
  'token.revoked': { en: 'revoked {n} token(s) of {name}', zh: '已吊销 {name} 的 {n} 个令牌' },
  'token.none': { en: "no live token named '{name}'", zh: "没有名为 '{name}' 的有效令牌" },
  'server.listening': { en: 'netdx server: listening on {url} ({db}), {n} target(s)', zh: 'netdx server：监听 {url}（{db}），{n} 个目标' },
  'server.listenFailed': { en: 'netdx server: cannot listen on {addr}: {why}', zh: 'netdx server：无法监听 {addr}：{why}' },
  'server.reloaded': { en: 'netdx server: target list reloaded from {file}: {n} target(s)', zh: 'netdx server：已从 {file} 重新加载目标列表：{n} 个目标' },
  'server.stopping': { en: 'netdx server: {signal} received, stopping', zh: 'netdx server：收到 {signal}，正在停止' },
  'server.incident': { en: 'netdx server: incident {id} {state}: {summary}', zh: 'netdx server：事件 {id} {state}：{summary}' },
  'incident.opened': { en: 'opened', zh: '已开启' },
  'incident.located': { en: 'located', zh: '已定位' },
  'incident.recovered': { en: 'recovered', zh: '已恢复' },
  'server.error': { en: 'netdx server: {what}: {why}', zh: 'netdx server：{what}：{why}' },
  'agent.started': { en: 'netdx agent {name}: reporting to {server}, {n} target(s)', zh: 'netdx agent {name}：向 {server} 报告，{n} 个目标' },
  'agent.noData': {
    en: 'netdx agent: no --data DIR: reports waiting for the server are kept in memory only and lost on restart',
    zh: 'netdx agent：未指定 --data 目录：等待发送的报告只保存在内存中，重启即丢失',
  },
  'agent.unreachable': { en: 'netdx agent: server unreachable ({why}); {n} event(s) spooled, retrying in {s} s', zh: 'netdx agent：无法连接服务器（{why}）；已缓存 {n} 个事件，{s} 秒后重试' },
  'agent.delivered': { en: 'netdx agent: server reachable again; delivered {n} spooled event(s)', zh: 'netdx agent：服务器已恢复连接；已补发 {n} 个缓存事件' },
  'agent.rejected': { en: 'netdx agent: the server refused us ({status}): {why}', zh: 'netdx agent：服务器拒绝了本代理（{status}）：{why}' },
  'agent.config': { en: 'netdx agent: new target list from the server: {n} target(s)', zh: 'netdx agent：从服务器收到新的目标列表：{n} 个目标' },
  'agent.badConfig': { en: "netdx agent: the server's target list is not usable, keeping the old one: {why}", zh: 'netdx agent：服务器下发的目标列表不可用，继续使用旧列表：{why}' },
  'agent.command': { en: 'netdx agent: the server asks for a diagnosis of {target}', zh: 'netdx agent：服务器要求立即诊断 {target}' },
  'agent.stopping': { en: 'netdx agent: {signal} received, stopping', zh: 'netdx agent：收到 {signal}，正在停止' },
  // API errors
  'api.auth': { en: 'a valid token is required (Authorization: Bearer TOKEN)', zh: '需要有效的令牌（请求头 `Authorization: Bearer 令牌`）' },
  'api.revoked': { en: 'this token has been revoked', zh: '该令牌已被吊销' },
  'api.agentOnly': { en: 'this endpoint is for agents: use an agent token', zh: '该接口只供代理使用：请使用代理令牌' },
  'api.operatorOnly': { en: 'this endpoint is for operators: an agent token is not accepted here', zh: '该接口只供运维人员使用：不接受代理令牌' },
  'api.wrongAgent': { en: "the token belongs to agent '{token}', not '{claimed}'", zh: "该令牌属于代理 '{token}'，不是 '{claimed}'" },
  'api.tooLarge': { en: 'request body over {max} bytes', zh: '请求体超过 {max} 字节' },
  'api.badJson': { en: 'the body is not JSON: {why}', zh: '请求体不是 JSON：{why}' },
  'api.invalid': { en: 'invalid {what}: {path}: {why}', zh: '{what} 无效：{path}：{why}' },
  'api.rate': { en: 'too many requests; retry after {s} s', zh: '请求过多；请 {s} 秒后重试' },
  'api.gap': { en: 'events must follow seq {acked}', zh: '事件必须紧接序号 {acked}' },
  'api.notFound': { en: 'not found', zh: '未找到' },
  'api.noCommand': { en: 'no such open command for this agent', zh: '该代理没有这个待完成的命令' },
  'api.noAgents': { en: 'no connected agent matches', zh: '没有匹配的在线代理' },
  'api.badTarget': { en: "target '{target}': {why}", zh: "目标 '{target}'：{why}" },
  // Scopes and summaries
  'scope.target': { en: 'the target itself (all agents)', zh: '目标本身（所有代理）' },
  'scope.label': { en: '{label}', zh: '{label}' },
  'scope.agent': { en: 'agent {agent}', zh: '代理 {agent}' },
  'scope.agents': { en: '{n} agents without a shared label', zh: '{n} 个没有共同标签的代理' },
  'summary.head': { en: '{target} — {code} {slug} on {n}/{total} agents', zh: '{target} — {code} {slug}，影响 {n}/{total} 个代理' },
  'summary.of': { en: '{n}/{total} agents of {label}', zh: '{label} 的 {n}/{total} 个代理' },
  'summary.others': { en: '({list})', zh: '（{list}）' },
  'summary.ofShort': { en: '{n}/{total} of {label}', zh: '{label} {n}/{total}' },
  'summary.evidence': { en: 'common evidence: {list}', zh: '共同证据：{list}' },
  'summary.fact': { en: '{key} {value}', zh: '{key} {value}' },
  'summary.healthy': { en: 'healthy agents: {value}', zh: '正常代理：{value}' },
  'summary.noEvidence': { en: 'common evidence: not located yet', zh: '共同证据：尚未定位' },
  // Page
  'page.title': { en: 'netdx fleet', zh: 'netdx 集群' },
  'page.fleet': { en: 'Fleet at a glance', zh: '集群总览' },
  'page.incidents': { en: 'Incidents', zh: '故障事件' },
  'page.noIncidents': { en: 'No incident.', zh: '没有故障事件。' },
  'page.agents': { en: 'Agents', zh: '代理' },
  'page.noAgents': { en: 'No agent has reported yet.', zh: '尚无代理上报。' },
  'page.group': { en: 'Group by', zh: '分组' },
  'page.target': { en: 'Target', zh: '目标' },
  'page.code': { en: 'Fault code', zh: '故障码' },
  'page.scope': { en: 'Scope', zh: '范围' },
  'page.affected': { en: 'Affected', zh: '受影响' },
  'page.status': { en: 'Status', zh: '状态' },
  'page.open': { en: 'open', zh: '未恢复' },
  'page.recovered': { en: 'recovered', zh: '已恢复' },
  'page.firstSeen': { en: 'First failure seen', zh: '首次发现故障' },
  'page.classified': { en: 'Classified (fault code and scope)', zh: '已分类（故障码与范围）' },
  'page.located': { en: 'Root cause located (scope and common evidence)', zh: '已定位根因（范围与共同证据）' },
  'page.recoveredAt': { en: 'Recovered (all affected agents pass again)', zh: '已恢复（所有受影响代理重新通过检查）' },
  'page.timeline': { en: 'Timeline (3-6-9: classify within 3 minutes, locate within 6 hours, recover within 9 hours)', zh: '时间线（3-6-9：3 分钟内分类、6 小时内定位、9 小时内恢复）' },
  'page.elapsed': { en: '{elapsed} after the first failure (target {goal})', zh: '首次故障后 {elapsed}（目标 {goal}）' },
  'page.met': { en: 'met', zh: '达标' },
  'page.missed': { en: 'missed', zh: '超时' },
  'page.pending': { en: 'not yet', zh: '尚未' },
  'page.evidence': { en: 'Common evidence', zh: '共同证据' },
  'page.fact': { en: 'What was looked at', zh: '检查项' },
  'page.failingSaw': { en: 'Failing agents saw', zh: '故障代理看到' },
  'page.healthySaw': { en: 'Healthy agents saw', zh: '正常代理看到' },
  'page.finding': { en: 'Diagnosis and fix (from {agent})', zh: '诊断与修复（来自 {agent}）' },
  'page.fix': { en: 'Fix', zh: '修复' },
  'page.byLabel': { en: 'Affected per label value', zh: '各标签值受影响情况' },
  'page.failingAgents': { en: 'Failing agents', zh: '故障代理' },
  'page.agent': { en: 'Agent', zh: '代理' },
  'page.labels': { en: 'Labels', zh: '标签' },
  'page.lastSeen': { en: 'Last seen', zh: '最近上报' },
  'page.online': { en: 'online', zh: '在线' },
  'page.offline': { en: 'offline', zh: '离线' },
  'page.state.up': { en: 'up', zh: '正常' },
  'page.state.down': { en: 'down', zh: '故障' },
  'page.state.unknown': { en: 'unknown', zh: '未知' },
  'page.state.mixed': { en: 'partly down', zh: '部分故障' },
  'page.lastReport': { en: 'Last report of {target}', zh: '{target} 的最近报告' },
  'page.noReport': { en: 'No report yet.', zh: '尚无报告。' },
  'page.verdict': { en: 'Verdict', zh: '结论' },
  'page.login': { en: 'Sign in with an operator token', zh: '使用运维令牌登录' },
  'page.token': { en: 'Operator token', zh: '运维令牌' },
  'page.signIn': { en: 'Sign in', zh: '登录' },
  'page.badLogin': { en: 'That is not a live operator token.', zh: '这不是有效的运维令牌。' },
  'page.back': { en: 'Back to the fleet', zh: '返回集群总览' },
  'page.none': { en: '—', zh: '—' },
} satisfies Record<string, Text>;

export type FleetMessageKey = keyof typeof FLEET_MESSAGES;

export const ft = catalogLookup(FLEET_MESSAGES);

/** 95 s → "1 min 35 s" (zh: "1 分 35 秒"). */
export function elapsedText(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const parts = lang === 'zh' ? [h ? `${h} 小时` : '', m ? `${m} 分` : '', r || (!h && !m) ? `${r} 秒` : ''] : [h ? `${h} h` : '', m ? `${m} min` : '', r || (!h && !m) ? `${r} s` : ''];
  return parts.filter(Boolean).join(' ');
}
