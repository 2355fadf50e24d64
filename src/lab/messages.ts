/**
 * The lab's own message catalog (en, zh): `lab up` / `down` / `run` progress on stderr, their
 * results on stdout, and `lab fleet-demo`. Kept beside the lab (lab/ does not depend on report/);
 * same shape and the same `fill` placeholders as the other catalogs.
 */
import type { Lang, Text } from '../model/layer.js';
import { catalogLookup } from '../model/fault.js';

export const LAB_MESSAGES = {
  // Lab.up (lab.ts): the build's progress
  'up.cleaned': { en: 'cleaned leftovers of crashed lab run(s) {runs}', zh: '已清理崩溃的实验运行遗留的内容：{runs}' },
  'up.network': { en: 'network: {n} hosts in {ms} ms', zh: '网络：{n} 台主机，耗时 {ms} 毫秒' },
  'up.pki': { en: 'pki: lab CA and its certificates after {ms} ms', zh: 'PKI：实验 CA 及其证书已就绪，用时 {ms} 毫秒' },
  'up.services': { en: 'services: {n} ready after {ms} ms', zh: '服务：{n} 个已就绪，用时 {ms} 毫秒' },
  'up.notListening': { en: 'lab services not listening: {names}', zh: '实验服务未在监听：{names}' },
  'up.exited': { en: '; exited: {names} (see {logs})', zh: '；已退出：{names}（见 {logs}）' },
  // cli/lab.ts
  'cli.signal': { en: 'netdx lab: {signal}, tearing the lab down…', zh: 'netdx lab：收到 {signal}，正在拆除实验环境…' },
  'cli.upIn': { en: 'up in {ms} ms (run {runid}); {n} scenario(s){repeat}', zh: '实验环境已就绪，耗时 {ms} 毫秒（运行 {runid}）；{n} 个场景{repeat}' },
  'cli.repeat': { en: ' × {n}', zh: ' × {n} 轮' },
  'cli.scenarioPass': { en: 'pass', zh: '通过' },
  'cli.scenarioPending': { en: 'pend', zh: '待定' },
  'cli.scenarioFail': { en: 'FAIL', zh: '失败' },
  'cli.scenarioLine': { en: '{result}  {id}  → {got}  {ms} ms{offline}', zh: '{result}  {id}  → {got}  {ms} 毫秒{offline}' },
  'cli.scenarioOffline': { en: '  (offline → {got})', zh: '（离线分析 → {got}）' },
  'cli.wallTime': { en: 'lab wall time {s} s{kept}', zh: '实验总耗时 {s} 秒{kept}' },
  'cli.stillUp': { en: '; the lab is still up (run {runid}): netdx lab exec HOST -- CMD, netdx lab down', zh: '；实验环境仍在运行（运行 {runid}）：`netdx lab exec HOST -- CMD`、`netdx lab down`' },
  'cli.isUp': { en: 'lab {runid} is up in {ms} ms: {namespaces}', zh: '实验环境 {runid} 已就绪，耗时 {ms} 毫秒：{namespaces}' },
  'cli.try': { en: 'try: {exec}   ·   lab CA: {ca}   ·   {down}', zh: '试试：`{exec}`   ·   实验 CA：{ca}   ·   拆除：`{down}`' },
  'cli.noneUp': { en: 'no lab was up', zh: '没有运行中的实验环境' },
  'cli.removed': { en: 'removed {n} lab(s)', zh: '已拆除 {n} 个实验环境' },
  // why a lab scenario failed (evaluate.ts, runner.ts): the table's └ lines, the demo's result lines
  'why.layerRow': { en: 'expected the {layer} row {want}, got {got}', zh: '{layer} 层应为 {want}，实际为 {got}' },
  'why.noRow': { en: 'none', zh: '无此行' },
  'why.healthy': { en: 'healthy, but netdx reported {what}', zh: '健康场景，但 netdx 报告了 {what}' },
  'why.expectedUnknown': { en: 'expected verdict unknown (could not judge), got {got}', zh: '预期结论为 unknown（无法判断），实际为 {got}' },
  'why.expected': { en: 'expected {expect}, got {got}', zh: '预期 {expect}，实际为 {got}' },
  'why.expectedNotPrimary': { en: 'expected {expect}, got {got} ({expect} is among the findings, not primary)', zh: '预期 {expect}，实际为 {got}（{expect} 在发现中，但不是主要原因）' },
  'why.alsoExpected': { en: 'expected also {codes} among the findings', zh: '发现中还应有 {codes}' },
  'why.timeout': { en: 'netdx diagnose did not finish within {s} s', zh: 'netdx diagnose 未在 {s} 秒内完成' },
  'why.noReport': { en: 'netdx diagnose exited {code} without a report: {line}', zh: 'netdx diagnose 以退出码 {code} 结束，没有报告：“{line}”' },
  'why.injection': { en: 'injection failed: {error}', zh: '注入故障失败：“{error}”' },
  'why.offline': { en: "offline: netdx analyze on the host's snapshot gave {got}, expected {expect}", zh: '离线分析：netdx analyze 对该主机快照的结果为 {got}，预期 {expect}' },
  'why.revert': { en: 'revert: {problems}', zh: '还原失败：“{problems}”' },
  'why.and': { en: '; ', zh: '；' },
  'offline.collectFailed': { en: 'collect failed (exit {code}): {line}', zh: 'collect 失败（退出码 {code}）：“{line}”' },
  'offline.analyzeNoReport': { en: 'analyze exited {code} without a report: {line}', zh: 'analyze 以退出码 {code} 结束，没有报告：“{line}”' },
  'offline.noReport': { en: 'analyze printed no report', zh: 'analyze 没有输出报告' },
  // lab fleet-demo (fleet-demo.ts and its summary in cli/lab.ts)
  'fd.building': {
    en: 'building the network: 3 regions, their routers, the HK ISP router on the Shanghai LAN, a core, the app server, a management network',
    zh: '正在搭建网络：3 个区域及其路由器、上海局域网上的香港 ISP 路由器、一台核心路由器、应用服务器、一个管理网络',
  },
  'fd.started': {
    en: 'started the server and {n} agents ({per} per region); waiting until every agent reports the app up',
    zh: '已启动服务器和 {n} 个代理（每个区域 {per} 个）；等待每个代理都报告应用正常',
  },
  'fd.injecting': { en: "injecting the field fault: in Shanghai, {command} (the HK ISP's router)", zh: '注入现场故障：在上海执行 `{command}`（指向香港 ISP 的路由器）' },
  'fd.classified': { en: 'classified after {s} s: {code}, scope region=sh', zh: '{s} 秒后完成分类：{code}，范围 region=sh' },
  'fd.located': { en: 'located after {s} s: {summary}', zh: '{s} 秒后定位：{summary}' },
  'fd.repairing': { en: 'repairing: {command}', zh: '正在修复：`{command}`' },
  'fd.recovered': { en: 'recovered {s} s after the repair', zh: '修复后 {s} 秒恢复' },
  'fd.dataKept': { en: 'data kept in {dir}', zh: '数据保留在 {dir}' },
  'fd.timedOut': { en: 'timed out after {s} s waiting for {what}', zh: '等待{what}超时（{s} 秒）' },
  'fd.wait.up': { en: 'every agent to report the app up', zh: '每个代理报告应用正常' },
  'fd.wait.classified': { en: 'the server to classify the Shanghai incident (a fault code, scope region=sh)', zh: '服务器对上海事件完成分类（得出故障代码，范围 region=sh）' },
  'fd.wait.located': { en: 'the root cause to be located (evidence naming the misrouting gateway)', zh: '定位根本原因（证据指出错误路由的网关）' },
  'fd.wait.recovered': { en: 'the incident to recover', zh: '事件恢复' },
  'fd.wrongCode': { en: "the incident's code is {code}, expected NET-004", zh: '事件的故障代码是 {code}，应为 NET-004' },
  'fd.notGreen': { en: 'Beijing or Shenzhen did not stay green', zh: '北京或深圳没有保持正常' },
  'fd.error': { en: 'the demo stopped: {why}', zh: '演示中断：“{why}”' },
  'fd.pass': { en: 'PASS', zh: '通过' },
  'fd.fail': { en: 'FAIL', zh: '失败' },
  'fd.agents': { en: '{n} agents in 3 regions', zh: '3 个区域共 {n} 个代理' },
  'fd.times': {
    en: 'classified {classified} after the fault (goal 3 min) · located {located} (goal 6 h) · recovered {recovered} (goal 9 h)',
    zh: '故障后 {classified} 完成分类（目标 3 分钟）· {located} 定位（目标 6 小时）· {recovered} 恢复（目标 9 小时）',
  },
  'fd.seconds': { en: '{s} s', zh: '{s} 秒' },
  'fd.othersGreen': { en: 'Beijing and Shenzhen stayed green: {answer}', zh: '北京和深圳保持正常：{answer}' },
  'fd.yes': { en: 'yes', zh: '是' },
  'fd.no': { en: 'no', zh: '否' },
} satisfies Record<string, Text>;

export type LabMessageKey = keyof typeof LAB_MESSAGES;

export const lt = catalogLookup(LAB_MESSAGES);

/** A message kept for later, rendered in either language; a value may itself be a message (a nested reason). */
export interface LabMessage {
  key: LabMessageKey;
  vars?: Record<string, string | number | LabMessage>;
}

export function renderLab(lang: Lang, m: LabMessage): string {
  const vars: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(m.vars ?? {})) vars[k] = typeof v === 'object' ? renderLab(lang, v) : v;
  return lt(lang, m.key, vars);
}
