import type { Rule, RuleMeta } from './types.js';
import { evidence, fill, makeFinding, ofKind } from './types.js';
import type { ObservationData } from '../model/observation.js';
import type { Lang } from '../model/layer.js';
import type { Fix } from '../model/report.js';
import { familyOf, tr } from './helpers.js';

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

/** One firewall verdict in words (the rule that decided, or the chain policy). */
function verdictText(lang: Lang, v: Verdict): string {
  const r = v.rule;
  const which = r ? (r.number ?? (r.handle !== undefined ? `handle ${r.handle}` : '?')) : null;
  if (lang === 'zh') {
    const verdict = v.verdict === 'DROP' ? '丢弃（DROP）' : v.verdict === 'REJECT' ? '拒绝（REJECT）' : v.verdict;
    const rule = r ? `${r.backend} 表 ${r.table} 链 ${r.chain} 规则 ${which}：\`${r.text}\`` : '链的默认策略';
    return `${flowText(v)} → 在 ${v.chain} 链被${verdict}：${rule}${v.reason ? `（${counterReasonZh(v.reason)}）` : ''}`;
  }
  return `${flowText(v)} → ${v.verdict} in ${v.chain}: ${r ? `${r.backend} table ${r.table} chain ${r.chain} rule ${which}: ${r.text}` : 'chain policy'}${v.reason ? ` (${v.reason})` : ''}`;
}

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
    const verdictWord = tr(ctx.lang, v.verdict === 'DROP' ? 'drop' : 'reject', v.verdict === 'DROP' ? '丢弃' : '拒绝');
    // The rule text is iptables/nft syntax: set off as code in zh.
    const ruleText = (text: string): string => tr(ctx.lang, text, `\`${text}\``);
    const colon = tr(ctx.lang, ': ', '：');
    const where = r
      ? r.backend === 'nft'
        ? `nft ${r.family ?? 'inet'} ${r.table} ${r.chain}${r.handle !== undefined ? ` handle ${r.handle}` : ''}${colon}${ruleText(r.text)}`
        : `${r.backend} -t ${r.table} ${r.chain} #${r.number ?? '?'}${colon}${ruleText(r.text)}`
      : tr(ctx.lang, `the ${v.chain} chain policy`, `${v.chain} 链的默认策略`);
    const fix: Fix[] = [];
    const s = (i: number, vars: Record<string, string | number>) => fill(meta.fix[i]!.summary[ctx.lang], vars);
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
      fix.push({
        summary: tr(
          ctx.lang,
          'The rule belongs to ufw: change it with `ufw status numbered` / `ufw delete N` so that it is not restored',
          '该规则由 ufw 管理：请用 `ufw status numbered` / `ufw delete 序号` 修改，否则会被恢复',
        ),
      });
    }
    return makeFinding(meta, ctx, {
      vars: {
        verdict: verdictWord,
        flow: flowText(v),
        where,
        reject: v.verdict === 'REJECT' && v.rejectWith ? tr(ctx.lang, ` (rejected with ${v.rejectWith})`, `（以 ${v.rejectWith} 拒绝）`) : '',
      },
      evidence: relevant.map((f) => evidence('firewall.verdict', verdictText(ctx.lang, f.data), { ...f.data })),
      fix,
    });
  },
};
