/** Text of `netdx firewall check` and `netdx route explain` (JSON shapes stay with the commands). */
import type { Lang } from '../model/layer.js';
import type { FirewallCheck, RouteExplanation, TraceEntry } from '../analyze/index.js';
import { t } from './i18n.js';
import { reasonText } from './reasons.js';
import { ruleWhere } from '../analyze/firewall/verdict.js';

function traceLine(e: TraceEntry, lang: Lang): string {
  const where = e.backend === 'nft' ? `nft ${e.family} ${e.table} ${e.chain}` : `${e.backend} ${e.table}/${e.chain}`;
  const num = e.rule === null ? (e.result === 'policy' ? t(lang, 'fw.policy') : '-') : e.backend === 'nft' ? `#${e.rule} h${e.handle ?? '?'}` : `#${e.rule}`;
  const line = e.line !== undefined ? t(lang, 'fw.line', { line: e.line }) : '';
  const mark = e.result === 'match' || e.result === 'policy' ? '*' : e.result === 'unknown' || e.result === 'probabilistic' ? '?' : ' ';
  const act = e.action && e.action !== 'continue' ? ` → ${e.action}` : '';
  const sep = lang === 'zh' ? '：' : ': ';
  return `  ${mark} ${e.direction === 'reply' ? t(lang, 'fw.reply') : ''}${e.hook.padEnd(11)} ${where} ${num}${line}${sep}${lang === 'zh' ? `\`${e.text}\`` : e.text}${act}${e.note ? `  [${reasonText(lang, e.note)}]` : ''}`;
}

/**
 * The verdict's reason in the reader's language. A rule that decided UNKNOWN is named with its
 * whole text, which may hold anything, so that reason is taken apart here rather than matched
 * against its template (its why and where could not be told apart).
 */
function verdictReasonText(c: FirewallCheck, lang: Lang): string {
  if (lang === 'zh' && c.verdict === 'UNKNOWN' && c.decided && c.unknown.length === 0) {
    const where = ruleWhere(c.decided);
    const m = c.reason.startsWith('unknown: ') && c.reason.endsWith(` (${where})`) ? c.reason.slice('unknown: '.length, -` (${where})`.length) : null;
    if (m !== null) return t(lang, 'reason.fwUnknownAt', { why: reasonText(lang, m), where });
  }
  return reasonText(lang, c.reason);
}

export function renderFirewallText(c: FirewallCheck, lang: Lang): string {
  const out: string[] = [];
  const v = c.verdict === 'REJECT' && c.rejectWith ? `REJECT (${c.rejectWith})` : c.verdict;
  out.push(t(lang, 'fw.verdict', { verdict: v, reason: verdictReasonText(c, lang) }));
  const f = c.flow;
  const hp = (a: string | null, p: number | null): string => `${a ?? '?'}${p !== null ? (a?.includes(':') ? `.${p}` : `:${p}`) : ''}`;
  out.push(t(lang, 'fw.flow', { flow: `${hp(f.src, f.sport)} → ${hp(f.dst, f.dport)}${f.iif ? ` in ${f.iif}` : ''}${f.oif ? ` out ${f.oif}` : ''}` }));
  for (const d of f.derived) out.push(t(lang, 'fw.derived', { what: reasonText(lang, d) }));
  for (const n of c.nat) out.push(t(lang, 'fw.nat', { what: `${n.kind} ${n.from} → ${n.to} (${n.table}/${n.chain} rule ${n.rule ?? '?'})` }));
  for (const u of c.unknown)
    out.push(
      t(lang, 'fw.undecidable', {
        what: t(lang, 'fw.rule', {
          where: `${u.backend} ${u.table}/${u.chain}`,
          rule: u.rule ?? '?',
          line: u.line !== undefined ? t(lang, 'fw.line', { line: u.line }) : '',
          why: reasonText(lang, u.why),
        }),
      }),
    );
  if (c.likely) out.push(t(lang, 'fw.likely', { verdict: c.likely }));
  for (const m of c.missing) out.push(t(lang, 'fw.missing', { what: reasonText(lang, m) }));
  if (c.problems.length > 0) {
    out.push(t(lang, 'fw.problems', { n: c.problems.length }));
    for (const p of c.problems.slice(0, 20))
      out.push(
        `  ${t(lang, 'fw.problem', {
          backend: p.backend,
          line: p.line !== undefined ? t(lang, 'fw.problemLine', { line: p.line }) : '',
          reason: reasonText(lang, p.reason),
          text: p.text ? ` — ${lang === 'zh' ? `\`${p.text.slice(0, 100)}\`` : p.text.slice(0, 100)}` : '',
        })}`,
      );
  }
  out.push('', t(lang, 'fw.trace', {}));
  for (const e of c.trace) out.push(traceLine(e, lang));
  return `${out.join('\n')}\n`;
}

/** Why a policy rule does not match (route-lookup's mismatch()), in Chinese. */
const MISMATCH_ZH: Array<[RegExp, string]> = [
  [/^iif (\S+) \(the lookup's input interface is (\S+)\)$/, 'iif $1（本次查询的入口网卡是 $2）'],
  [/^oif (\S+) \(no output interface given\)$/, 'oif $1（未指定出口网卡）'],
  [/^oif (\S+) \(output interface (\S+)\)$/, 'oif $1（出口网卡为 $2）'],
  [/^fwmark (\S+) \(mark is (\S+)\)$/, 'fwmark $1（标记为 $2）'],
  [/^(\S+) selector$/, '$1 选择器'],
  [/^uidrange \(uid (\d+)\)$/, 'uidrange（uid $1）'],
  [/^from (\S+) \(no source address given\)$/, 'from $1（未指定源地址）'],
  [/^from (\S+) \(source (\S+)\)$/, 'from $1（源地址 $2）'],
  [/^ipproto \(no protocol given\)$/, 'ipproto（未指定协议）'],
  [/^ipproto \(protocol (\S+)\)$/, 'ipproto（协议 $1）'],
];

/** A step's note (route-lookup's lookup()), in Chinese; route and rule texts set off as code. */
const NOTE_ZH: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^does not match: (.*)$/s, (m) => `不匹配：${MISMATCH_ZH.reduce((s, [re, zh]) => (re.test(s) ? s.replace(re, zh) : s), m[1]!)}`],
  [/^not: the selectors match$/, () => 'not：选择器匹配'],
  [/^goto (\S+): no rule has that priority, continue$/, (m) => `goto ${m[1]}：没有该优先级的规则，继续`],
  [/^nop: continue$/, () => 'nop：继续'],
  [/^action (\S+): continue$/, (m) => `动作 ${m[1]}：继续`],
  [/^no usable route in table (\S+) covers the destination$/, (m) => `路由表 ${m[1]} 中没有覆盖目的地址的可用路由`],
  [/^table (\S+) is empty$/, (m) => `路由表 ${m[1]} 为空`],
  [/^throw route (\S+): continue with the next rule$/, (m) => `throw 路由 ${m[1]}：继续下一条规则`],
  [/^(\S+) route (\S+): the lookup ends here$/, (m) => `${m[1]} 路由 ${m[2]}：查询到此结束`],
  [/^(\S+): the lookup ends here$/, (m) => `${m[1]}：查询到此结束`],
  [/^(\S+) suppressed \(prefix (\/\d+) ≤ suppress_prefixlength (\d+)\)$/, (m) => `${m[1]} 被抑制（前缀 ${m[2]} ≤ suppress_prefixlength ${m[3]}）`],
  [/^chose (.*)$/s, (m) => `选中 \`${m[1]}\``],
];

function noteZh(note: string): string {
  for (const [re, f] of NOTE_ZH) {
    const m = re.exec(note);
    if (m) return f(m);
  }
  return note;
}

/** The competition and multipath tail of a route's why (route-lookup's competition()), in Chinese. */
function competitionZh(parts: string): string {
  return parts
    .split('; ')
    .map((p) => {
      let m = /^longer prefix than (.*)$/.exec(p);
      if (m) return `前缀比 ${m[1]} 更长`;
      m = /^lower metric than (.*) on the same prefix$/.exec(p);
      if (m) return `同一前缀上 metric 低于 ${m[1]}`;
      m = /^the longer (.*) cannot carry this flow$/.exec(p);
      if (m) return `更长的 ${m[1]} 无法承载此流量`;
      return p;
    })
    .join('；');
}

/** A route text with its competition (and multipath) tail: `route`（…）. */
function routeWithTail(text: string): string {
  const m = /^(.*?)(?: \(((?:longer prefix than|lower metric than|the longer ).*)\))?(?:; multipath: the kernel hashes each flow onto one of (.*))?$/s.exec(text)!;
  return `\`${m[1]}\`${m[2] ? `（${competitionZh(m[2])}）` : ''}${m[3] ? `；多路径：内核按流把每条流哈希到其中之一：${m[3]}` : ''}`;
}

/** The one-sentence why of route-lookup's explainWith(), in Chinese (a sentence it does not know stays as it is). */
export function routeWhyZh(why: string): string {
  let m = /^rule (\d+) \((.*?)\) → table (\S+): (.*)$/s.exec(why);
  if (m) return `规则 ${m[1]}（\`${m[2]}\`）→ 路由表 ${m[3]}：${routeWithTail(m[4]!)}`;
  m = /^(.*?) \(rule (\d+): (.*?)\) is a (\S+) route(.*)$/s.exec(why);
  if (m) return `\`${m[1]}\`（规则 ${m[2]}：\`${m[3]}\`）是 ${m[4]} 路由${m[5] ? routeWithTail(`x${m[5]}`).slice(3) : ''}`;
  m = /^policy rule (\d+) \((.*)\) is a (\S+) rule$/s.exec(why);
  if (m) return `策略规则 ${m[1]}（\`${m[2]}\`）是 ${m[3]} 规则`;
  m = /^no policy rule's table has a usable route to (\S+)(?: \((\d+) covering route\(s\) were skipped or thrown\))?: the kernel answers "Network is unreachable"$/.exec(why);
  if (m) return `没有任何策略规则的路由表中有到 ${m[1]} 的可用路由${m[2] ? `（${m[2]} 条覆盖它的路由被跳过或 throw）` : ''}：内核返回 "Network is unreachable"`;
  m = /^the lookup found no usable route to (\S+); the socket is bound to (\S+), so the kernel assumes \S+ is on-link there$/.exec(why);
  if (m) return `查询没有找到到 ${m[1]} 的可用路由；套接字绑定在 ${m[2]} 上，因此内核认为目标在该网卡上直连`;
  m = /^(.*) would forward the packet, but forwarding is off \((\S+) = 0\): the kernel answers "No route to host"$/s.exec(why);
  if (m) return `\`${m[1]}\` 本应转发该报文，但转发已关闭（${m[2]} = 0）：内核返回 "No route to host"`;
  return why;
}

export function renderRouteText(dst: string, e: RouteExplanation, lang: Lang, kernel?: { text: string; agrees: boolean | null }): string {
  const out: string[] = [];
  const zh = lang === 'zh';
  const code = (s: string): string => (zh ? `\`${s}\`` : s);
  if (e.outcome === 'route') {
    out.push(t(lang, 'route.chosen', { dst, route: code(e.route ? e.route.text : `${dst} dev ${e.dev}`), table: e.table ?? '-' }));
    out.push(t(lang, 'route.via', { hop: code(`${e.gateway ? `via ${e.gateway} ` : ''}dev ${e.dev ?? '?'}${e.src ? ` src ${e.src}` : ''}`) }));
  } else out.push(t(lang, 'route.none', { dst, outcome: e.outcome }));
  out.push(t(lang, 'route.why', { why: zh ? routeWhyZh(e.why) : e.why }));
  if (kernel) {
    out.push(t(lang, 'route.kernel', { answer: zh ? reasonText(lang, kernel.text) : kernel.text }));
    if (kernel.agrees === false) out.push(t(lang, 'route.mismatch', { detail: zh ? reasonText(lang, kernel.text) : kernel.text }));
  }
  out.push('', t(lang, 'route.rules', {}));
  for (const s of e.steps) out.push(`  ${s.matched ? '*' : ' '} ${String(s.priority).padStart(5)}: ${code(s.text)}  — ${zh ? noteZh(s.note) : s.note}`);
  out.push('', t(lang, 'route.candidates', { dst }));
  for (const c of e.candidates) out.push(`    ${code(`${c.text}${c.table !== 'main' && !/\btable\b/.test(c.text) ? ` table ${c.table}` : ''}`)}`);
  return `${out.join('\n')}\n`;
}
