/**
 * The monitor's own message catalog (en, zh): config errors, daemon notices on stderr, the
 * /api texts. Kept beside the monitor rather than in src/report/messages.ts so the daemon's
 * strings live with it; same shape and the same `fill` placeholders.
 */
import type { Lang, Text } from '../model/layer.js';
import { catalogLookup } from '../model/fault.js';

export const MONITOR_MESSAGES = {
  'cfg.read': { en: "config '{file}': cannot read ({code})", zh: "配置文件 '{file}'：无法读取（{code}）" },
  'cfg.yaml': { en: '{where}: not valid YAML: {why}', zh: '{where}：不是有效的 YAML：{why}' },
  'cfg.notMap': { en: '{where}: expected a mapping (key: value)', zh: '{where}：应为映射（键: 值）' },
  'cfg.unknownKey': { en: "{where}: unknown field '{key}' (expected one of: {known})", zh: "{where}：未知字段 '{key}'（可用字段：{known}）" },
  'cfg.noTargets': { en: "{where}: 'targets' must be a non-empty list", zh: "{where}：'targets' 必须是非空列表" },
  'cfg.missing': { en: "{where}: field '{key}' is required", zh: "{where}：缺少必填字段 '{key}'" },
  'cfg.string': { en: "{where}: field '{key}' must be a string", zh: "{where}：字段 '{key}' 必须是字符串" },
  'cfg.name': { en: "{where}: name '{value}': expected 1–64 letters, digits, '.', '_' or '-'", zh: "{where}：名称 '{value}' 无效：应为 1–64 个字母、数字、'.'、'_' 或 '-'" },
  'cfg.duplicate': { en: "{where}: duplicate target name '{value}' (first at line {line})", zh: "{where}：目标名称 '{value}' 重复（首次出现在第 {line} 行）" },
  'cfg.duration': {
    en: "{where}: {key} '{value}': expected a duration from {min} to {max}, like 10s, 500ms or 1m",
    zh: "{where}：{key} '{value}' 无效：应为 {min} 到 {max} 之间的时长，如 10s、500ms 或 1m",
  },
  'cfg.count': { en: "{where}: {key} '{value}': expected a whole number from {min} to {max}", zh: "{where}：{key} '{value}' 无效：应为 {min} 到 {max} 之间的整数" },
  'cfg.labels': {
    en: "{where}: labels: expected a mapping of label names ([a-zA-Z_][a-zA-Z0-9_]*, not 'target' or '__…') to strings",
    zh: "{where}：labels 应为映射：标签名（[a-zA-Z_][a-zA-Z0-9_]*，不能是 'target' 或以 '__' 开头）到字符串",
  },
  'cfg.labelName': { en: "{where}: label '{key}': not a usable Prometheus label name (reserved or invalid)", zh: "{where}：标签 '{key}' 不能用作 Prometheus 标签名（保留或无效）" },
  'cfg.option': { en: '{where}: field {key}: {why}', zh: '{where}：字段 {key}：{why}' },
  'cfg.target': { en: '{where}: target: {why}', zh: '{where}：target：{why}' },
  'cfg.lang': { en: "{where}: lang '{value}': expected en or zh", zh: "{where}：lang '{value}' 无效：应为 en 或 zh" },
  'cli.listen': { en: "--listen '{value}': expected ADDR:PORT, e.g. 127.0.0.1:9716 or [::1]:9716", zh: "--listen '{value}' 无效：应为 地址:端口，如 127.0.0.1:9716 或 [::1]:9716" },
  'daemon.listening': { en: 'netdx monitor: {n} target(s), listening on http://{addr}/metrics', zh: 'netdx monitor：{n} 个目标，监听 http://{addr}/metrics' },
  'daemon.listenFailed': { en: 'netdx monitor: cannot listen on {addr}: {why}', zh: 'netdx monitor：无法监听 {addr}：{why}' },
  'daemon.reloaded': { en: 'netdx monitor: config reloaded from {file}: {n} target(s)', zh: 'netdx monitor：已从 {file} 重新加载配置：{n} 个目标' },
  'daemon.reloadFailed': { en: 'netdx monitor: config reload failed, keeping the old config: {why}', zh: 'netdx monitor：重新加载配置失败，继续使用旧配置：{why}' },
  'daemon.stopping': { en: 'netdx monitor: {signal} received, stopping', zh: 'netdx monitor：收到 {signal}，正在停止' },
  'store.readonly': {
    en: 'netdx monitor: the store {path} cannot be written ({why}); monitoring goes on, history is not kept (netdx_store_writable 0)',
    zh: 'netdx monitor：存储 {path} 无法写入（{why}）；监控继续，但不保存历史（netdx_store_writable 0）',
  },
  'store.writableAgain': { en: 'netdx monitor: the store {path} can be written again', zh: 'netdx monitor：存储 {path} 已恢复可写' },
  'store.open': { en: 'netdx monitor: cannot open the store under {path} ({why}); monitoring without history', zh: 'netdx monitor：无法打开 {path} 下的存储（{why}）；监控继续，但不保存历史' },
  'state.up': { en: 'up', zh: '正常' },
  'state.down': { en: 'down', zh: '故障' },
  'state.unknown': { en: 'unknown', zh: '未知' },
  'check.timeout': { en: 'no answer within the check deadline ({ms} ms)', zh: '检查时限（{ms} 毫秒）内无应答' },
  'check.status': { en: 'HTTP status {status}', zh: 'HTTP 状态码 {status}' },
  'check.resolve': { en: 'the name did not resolve', zh: '域名无法解析' },
  'check.tcp': { en: 'TCP connect failed: {code}', zh: 'TCP 连接失败：{code}' },
  'check.tls': { en: 'TLS handshake or verification failed: {code}', zh: 'TLS 握手或证书验证失败：{code}' },
  'check.icmp': { en: 'ICMP echo failed: {code}', zh: 'ICMP 回显失败：{code}' },
  'check.other': { en: 'check failed: {code}', zh: '检查失败：{code}' },
  'api.notFound': { en: "no target named '{name}'", zh: "没有名为 '{name}' 的目标" },
  'api.noReport': { en: "target '{name}' has not been diagnosed yet (only failing or changed checks are)", zh: "目标 '{name}' 尚未做过完整诊断（只有失败或变化的检查才会触发诊断）" },
  'probe.noTarget': { en: 'Target parameter is missing', zh: '缺少 target 参数' },
  'probe.badTarget': { en: "Target '{target}': {why}", zh: "目标 '{target}'：{why}" },
  'probe.unknownModule': { en: 'Unknown module "{module}" (expected icmp, tcp_connect, tls, http_2xx)', zh: '未知模块 "{module}"（可用：icmp、tcp_connect、tls、http_2xx）' },
} satisfies Record<string, Text>;

export type MonitorMessageKey = keyof typeof MONITOR_MESSAGES;

export const mt = catalogLookup(MONITOR_MESSAGES);

/** A check's failure in the reader's language, from its signature (checks.ts): `timeout`, `dns`, `tcp:CODE`, `tls:CODE`, `icmp:NAME`, `http:STATUS:…`. */
export function checkReason(signature: string, timeoutMs: number, lang: Lang): string {
  const [kind, code = ''] = signature.split(':');
  switch (kind) {
    case 'timeout':
      return mt(lang, 'check.timeout', { ms: timeoutMs });
    case 'dns':
      return mt(lang, 'check.resolve');
    case 'tcp':
      return mt(lang, 'check.tcp', { code });
    case 'tls':
      return mt(lang, 'check.tls', { code });
    case 'icmp':
      return mt(lang, 'check.icmp', { code });
    case 'http':
      return mt(lang, 'check.status', { status: code });
    default:
      return mt(lang, 'check.other', { code: signature });
  }
}
