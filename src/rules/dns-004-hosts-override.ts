import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { canonicalIp, familyOf } from './helpers.js';

export const meta: RuleMeta = {
  code: 'DNS-004',
  slug: 'hosts-override',
  layer: 'dns',
  severity: 'error',
  title: { en: '{path} line {line} pins {name} to {address}, DNS says {dnsAddresses}', zh: 'hosts文件被篡改/覆盖：{path} 第 {line} 行把 {name} 固定为 {address}，DNS 解析为 {dnsAddresses}' },
  explanation: {
    en: 'The hosts file is read before DNS, so every program on this machine uses {address} for {name} while DNS publishes {dnsAddresses}. A leftover test entry, a migration that moved the server, or tampering.',
    zh: 'hosts 文件先于 DNS 生效，本机所有程序都会把 {name} 解析为 {address}，而 DNS 发布的地址是 {dnsAddresses}。可能是遗留的测试条目、服务器迁移后未更新，或被恶意篡改。',
  },
  evidence: { en: 'The hosts line (file and line number) and the DNS answers for the same name.', zh: 'hosts 中的那一行（文件与行号）以及同一名称的 DNS 应答。' },
  fix: [
    { summary: { en: 'Remove line {line} of {path}', zh: '删除 {path} 的第 {line} 行' }, command: "sed -i '{line}d' {path}" },
    { summary: { en: 'Or correct it to the DNS address {dnsAddress}', zh: '或者把它改为 DNS 的地址 {dnsAddress}' }, command: "sed -i '{line}s/^[[:space:]]*[^[:space:]]*/{dnsAddress}/' {path}" },
  ],
  explains: ['DNS-005', 'TCP-001', 'TCP-002', 'TCP-003', 'TLS-003', 'TLS-004', 'TLS-011', 'APP-002'],
};

const M = defineMessages('DNS-004', {
  hostsLine: msg(
    (p: { path: string; line: number; text: string }) => `${p.path}:${p.line}: ${p.text}`,
    (p) => `${p.path} 第 ${p.line} 行：${p.text}`,
  ),
  dnsAnswers: msg(
    (p: { servers: string[]; qtype: string; name: string; answers: string[] }) => `DNS (${p.servers.join(', ')}) ${p.qtype} ${p.name}: ${p.answers.join(', ')}`,
    (p) => `DNS（${p.servers.join(', ')}）${p.qtype} ${p.name}：${p.answers.join(', ')}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    if (ctx.target.ipFamily !== null) return null;
    const h = ofKind(ctx.observations, 'dns.hosts').find((x) => x.data.matches.length > 0);
    if (!h) return null;
    const dns = ofKind(ctx.observations, 'dns.query').filter((q) => q.data.outcome === 'answer' && q.data.rcode === 'NOERROR' && q.data.answers.length > 0);
    const byFamily = (f: 4 | 6) => [...new Set(dns.filter((q) => q.data.qtype === (f === 4 ? 'A' : 'AAAA')).flatMap((q) => q.data.answers.map((a) => canonicalIp(a.address))))];
    // glibc uses the first matching line per family: the one to judge.
    for (const m of [...h.data.matches].sort((a, b) => a.line - b.line)) {
      const fam = familyOf(m.address);
      const answers = byFamily(fam);
      if (answers.length === 0) continue; // DNS has nothing to compare with: maybe an internal-only name
      if (answers.includes(canonicalIp(m.address))) continue;
      const servers = [...new Set(dns.map((q) => q.data.server))];
      return makeFinding(meta, ctx, {
        vars: { path: h.data.path, line: m.line, name: ctx.target.host, address: m.address, dnsAddresses: answers.join(', '), dnsAddress: answers[0]! },
        evidence: [
          evidence('dns.hosts', M.hostsLine({ path: h.data.path, line: m.line, text: m.text }), {
            path: h.data.path,
            line: m.line,
            address: m.address,
            names: m.names,
            text: m.text,
          }),
          evidence('dns.query', M.dnsAnswers({ servers, qtype: fam === 4 ? 'A' : 'AAAA', name: ctx.target.host, answers }), { answers }),
        ],
      });
    }
    return null;
  },
};
