import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, metaFix, msg, ofKind, type FixPart, metaText } from './types.js';
import type { ObservationData } from '../model/observation.js';
import type { Lang } from '../model/layer.js';
import { familyOf } from './helpers.js';

export const meta: RuleMeta = {
  code: 'NET-006',
  slug: 'local-firewall-block',
  layer: 'network',
  severity: 'error',
  title: { en: 'The local firewall {verdict}s {flow} ({where})', zh: '本机防火墙拦截：{flow} 被{verdict}（{where}）' },
  explanation: {
    en: 'This machine’s own firewall {verdict}s {flow} ({where}), so the traffic never gets past the client{reject}. Nothing on the network or the server can fix this.',
    zh: '本机防火墙（{where}）{verdict}了 {flow}，流量根本出不了客户端{reject}。网络或服务器端无法解决这个问题。',
  },
  evidence: {
    en: 'The exact rule the flow matches: backend, table, chain, rule number and text (or the chain policy).',
    zh: '该流量命中的确切规则：后端、表、链、规则序号与规则文本（或链的默认策略）。',
  },
  fix: [
    { summary: { en: 'Delete the blocking rule {number} of chain {chain}', zh: '删除链 {chain} 中第 {number} 条拦截规则' }, command: '{tool} -t {table} -D {chain} {number}' },
    { summary: { en: 'Delete the blocking nftables rule (handle {handle})', zh: '删除拦截的 nftables 规则（handle {handle}）' }, command: 'nft delete rule {family} {table} {chain} handle {handle}' },
    {
      summary: { en: 'The chain policy drops it: insert an ACCEPT rule for the flow at the top of {chain}', zh: '是链的默认策略丢弃了它：在 {chain} 链首插入一条放行该流量的 ACCEPT 规则' },
      command: '{tool} -I {chain} 1 {match} -j ACCEPT',
    },
  ],
  explains: ['HOST-004', 'DNS-001', 'DNS-006', 'NET-003', 'NET-005', 'NET-010', 'VPN-002', 'VPN-003', 'TCP-002', 'TCP-003', 'TLS-009', 'APP-001', 'APP-002'],
};

type Verdict = ObservationData['firewall.verdict'];

function flowText(v: Verdict): string {
  const dst = v.dst.includes(':') && v.dport !== null ? `[${v.dst}]` : v.dst;
  return `${v.proto} ${v.src ? `${v.src} → ` : ''}${dst}${v.dport !== null ? `:${v.dport}` : ''}`;
}

/** iptables match of the flow, as seen in the chain that blocks it (INPUT sees the replies). */
function iptablesMatch(v: Verdict): string {
  if (v.chain === 'INPUT') return `-s ${v.dst} -m conntrack --ctstate ESTABLISHED,RELATED`;
  const proto = v.proto === 'icmpv6' ? 'ipv6-icmp' : v.proto;
  return `-d ${v.dst} -p ${proto}${v.dport !== null && (v.proto === 'tcp' || v.proto === 'udp') ? ` --dport ${v.dport}` : ''}`;
}

function nftMatch(v: Verdict): string {
  const fam = familyOf(v.dst) === 6 ? 'ip6' : 'ip';
  if (v.chain === 'INPUT') return `${fam} saddr ${v.dst} ct state established,related`;
  const l4 =
    v.dport !== null && (v.proto === 'tcp' || v.proto === 'udp')
      ? ` ${v.proto} dport ${v.dport}`
      : v.proto === 'icmp' || v.proto === 'icmpv6'
        ? ` meta l4proto ${v.proto === 'icmp' ? 'icmp' : 'ipv6-icmp'}`
        : '';
  return `${fam} daddr ${v.dst}${l4}`;
}

/** The deciding rule as params (all null: the chain policy decided). */
type RuleParams = { backend: string | null; family: string | null; table: string | null; ruleChain: string | null; number: number | null; handle: number | null; text: string | null };

const ruleParams = (v: Verdict): RuleParams => {
  const r = v.rule;
  return {
    backend: r?.backend ?? null,
    family: r?.family ?? null,
    table: r?.table ?? null,
    ruleChain: r?.chain ?? null,
    number: r?.number ?? null,
    handle: r?.handle ?? null,
    text: r?.text ?? null,
  };
};

/** A verdict as params: the flow, the verdict, the chain that saw it, the rule, the counter analysis' reason. */
type VerdictParams = RuleParams & { flow: string; verdict: string; chain: string; reason: string | null };

/** One firewall verdict in words (the rule that decided, or the chain policy). */
function verdictText(lang: Lang, p: VerdictParams): string {
  const which = p.backend ? (p.number ?? (p.handle !== null ? `handle ${p.handle}` : '?')) : null;
  if (lang === 'zh') {
    const verdict = p.verdict === 'DROP' ? '丢弃（DROP）' : p.verdict === 'REJECT' ? '拒绝（REJECT）' : p.verdict;
    const rule = p.backend ? `${p.backend} 表 ${p.table} 链 ${p.ruleChain} 规则 ${which}：\`${p.text}\`` : '链的默认策略';
    return `${p.flow} → 在 ${p.chain} 链被${verdict}：${rule}${p.reason ? `（${counterReasonZh(p.reason)}）` : ''}`;
  }
  return `${p.flow} → ${p.verdict} in ${p.chain}: ${p.backend ? `${p.backend} table ${p.table} chain ${p.ruleChain} rule ${which}: ${p.text}` : 'chain policy'}${p.reason ? ` (${p.reason})` : ''}`;
}

/** The block as params for the meta's title and explanation. */
type BlockParams = RuleParams & { flow: string; verdict: string; chain: string; rejectWith: string | null };

/** The meta's placeholders in a language: the verdict word, where the flow is blocked (a rule set off as code in zh, or the chain policy), how it is rejected. */
function blockWords(lang: Lang, p: BlockParams): Record<string, string> {
  const zh = lang === 'zh';
  const colon = zh ? '：' : ': ';
  // The rule text is iptables/nft syntax: set off as code in zh.
  const ruleText = zh ? `\`${p.text}\`` : `${p.text}`;
  const where = p.backend
    ? p.backend === 'nft'
      ? `nft ${p.family ?? 'inet'} ${p.table} ${p.ruleChain}${p.handle !== null ? ` handle ${p.handle}` : ''}${colon}${ruleText}`
      : `${p.backend} -t ${p.table} ${p.ruleChain} #${p.number ?? '?'}${colon}${ruleText}`
    : zh
      ? `${p.chain} 链的默认策略`
      : `the ${p.chain} chain policy`;
  const reject = p.verdict === 'REJECT' && p.rejectWith ? (zh ? `（以 ${p.rejectWith} 拒绝）` : ` (rejected with ${p.rejectWith})`) : '';
  const verdict = p.verdict === 'DROP' ? (zh ? '丢弃' : 'drop') : zh ? '拒绝' : 'reject';
  return { verdict, flow: p.flow, where, reject };
}

const M = defineMessages('NET-006', {
  blockTitle: metaText(meta.title, blockWords),
  blockWhy: metaText(meta.explanation, blockWords),
  verdict: msg(
    (p: VerdictParams) => verdictText('en', p),
    (p) => verdictText('zh', p),
  ),
  ufw: msg(
    'The rule belongs to ufw: change it with `ufw status numbered` / `ufw delete N` so that it is not restored',
    '该规则由 ufw 管理：请用 `ufw status numbered` / `ufw delete 序号` 修改，否则会被恢复',
  ),
});

/** The counter analysis' reason (src/analyze/counters.ts) in Chinese; a text it does not know is quoted as it is. */
function counterReasonZh(reason: string): string {
  const x = /^packet counter grew during the probe \((?:(chain policy)|rule (\d+))\)$/.exec(reason);
  if (!x) return reason.includes('"') ? `「${reason}」` : `"${reason}"`;
  return `探测期间报文计数增加（${x[1] ? '链的默认策略' : `规则 ${x[2]}`}）`;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const blocked = ofKind(ctx.observations, 'firewall.verdict').filter((f) => f.data.verdict === 'DROP' || f.data.verdict === 'REJECT');
    // ICMP alone blocked while the target is a service: that is NET-005's warning, not an outage.
    const relevant = blocked.filter((f) => (f.data.proto !== 'icmp' && f.data.proto !== 'icmpv6') || ctx.target.protocol === 'icmp');
    const hit = relevant[0];
    if (!hit) return null;
    const v = hit.data;
    const r = v.rule;
    const v6 = familyOf(v.dst) === 6;
    const tool = r?.backend === 'ip6tables' || (!r && v6) ? 'ip6tables' : 'iptables';
    const fix: FixPart[] = [];
    // The meta's fixes by their own ids.
    const s = (i: number, vars: Record<string, string | number>) => metaFix(meta, i, vars).summary;
    if (r && r.backend !== 'nft' && r.number !== null) {
      fix.push({ summary: s(0, { number: r.number, chain: r.chain }), command: `${r.backend} -t ${r.table} -D ${r.chain} ${r.number}` });
    } else if (r && r.backend === 'nft' && r.handle !== undefined) {
      fix.push({ summary: s(1, { handle: r.handle }), command: `nft delete rule ${r.family ?? 'inet'} ${r.table} ${r.chain} handle ${r.handle}` });
    } else if (r && r.backend === 'nft') {
      fix.push({ summary: s(2, { chain: r.chain }), command: `nft insert rule ${r.family ?? 'inet'} ${r.table} ${r.chain} ${nftMatch(v)} accept` });
    } else {
      const chain = r?.chain ?? v.chain;
      fix.push({ summary: s(2, { chain }), command: `${tool} -I ${chain} 1 ${iptablesMatch(v)} -j ACCEPT` });
    }
    if (r && /^ufw/i.test(r.chain)) {
      fix.push({ summary: M.ufw() });
    }
    const block: BlockParams = { flow: flowText(v), verdict: v.verdict, chain: v.chain, rejectWith: v.rejectWith ?? null, ...ruleParams(v) };
    return makeFinding(meta, ctx, {
      title: M.blockTitle(block),
      explanation: M.blockWhy(block),
      evidence: relevant.map((f) =>
        evidence('firewall.verdict', M.verdict({ flow: flowText(f.data), verdict: f.data.verdict, chain: f.data.chain, reason: f.data.reason ?? null, ...ruleParams(f.data) }), { ...f.data }),
      ),
      fix,
    });
  },
};
