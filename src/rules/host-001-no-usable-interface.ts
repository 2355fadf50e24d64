import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind, ruleMessages, fixOf, msg } from './types.js';

export const meta: RuleMeta = {
  code: 'HOST-001',
  slug: 'no-usable-interface',
  layer: 'host',
  severity: 'error',
  title: { en: 'No usable network interface: none is up with a carrier', zh: '无可用网卡：没有已启用且有载波的网卡' },
  explanation: {
    en: 'Apart from loopback, no interface is both administratively up and has a carrier (cable, Wi-Fi association, virtual peer), so nothing can leave this machine. Every check above the host layer fails for this reason alone.',
    zh: '除回环接口外，没有任何网卡同时处于启用状态且有载波（网线、Wi-Fi 关联或虚拟对端），本机发不出任何报文；主机层以上的所有检查都会因此失败。',
  },
  evidence: { en: 'Link state (UP flag and carrier/LOWER_UP) of every interface, as `ip -j link` reports it.', zh: '每个网卡的链路状态（UP 标志与载波 LOWER_UP），来自 `ip -j link`。' },
  fix: [
    { summary: { en: 'Bring the interface {dev} up', zh: '启用网卡 {dev}' }, command: 'ip link set {dev} up' },
    { summary: { en: 'If it is up but has no carrier: check the cable, the Wi-Fi association or the VPN/virtual adapter', zh: '若网卡已启用但无载波：检查网线、Wi-Fi 连接或 VPN/虚拟网卡' } },
  ],
  implemented: true,
  issue: 4,
  explains: [
    'HOST-004', 'DNS-001', 'DNS-003', 'DNS-006', 'DNS-007',
    'NET-001', 'NET-002', 'NET-003', 'NET-005', 'NET-007', 'NET-008', 'NET-009', 'NET-010',
    'VPN-001', 'VPN-002', 'VPN-003', 'TCP-002', 'TCP-003', 'TCP-006', 'TLS-009', 'APP-001', 'APP-002',
  ],
  messages: {
    onlyLoopback: { en: 'only the loopback interface exists', zh: '只有回环接口' },
    links: { en: '{links}', zh: '{links}' },
    up: { en: '{name} UP', zh: '{name} 已启用' },
    down: { en: '{name} DOWN', zh: '{name} 未启用' },
    upNoCarrier: { en: '{name} UP NO-CARRIER', zh: '{name} 已启用但无载波' },
    downNoCarrier: { en: '{name} DOWN NO-CARRIER', zh: '{name} 未启用且无载波' },
  },
};

const m = ruleMessages(meta);

export const rule: Rule = {
  meta,
  check(ctx) {
    const o = ofKind(ctx.observations, 'host.links')[0];
    if (!o) return null;
    const real = o.data.links.filter((l) => !l.loopback);
    // carrier null = unknown: count it as usable rather than guess a fault.
    if (real.some((l) => l.up && l.carrier !== false)) return null;
    const down = real.find((l) => !l.up && l.addresses.length > 0) ?? real.find((l) => !l.up);
    const state = m('links', { links: real.map((l) => m(`${l.up ? 'up' : 'down'}${l.carrier === false ? 'NoCarrier' : ''}`, { name: l.name })) });
    const summary = real.length === 0 ? m('onlyLoopback') : state;
    return makeFinding(meta, ctx, {
      vars: down ? { dev: down.name } : {},
      evidence: [evidence('host.links', summary, { links: o.data.links.map((l) => ({ name: l.name, up: l.up, carrier: l.carrier, kind: l.kind })) })],
      fix: down
        ? undefined
        : [fixOf(msg(`${meta.code}.fix.1`))],
    });
  },
};
