import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, ofKind, registerMetaMessages } from './types.js';

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
  explains: [
    'HOST-004',
    'DNS-001',
    'DNS-003',
    'DNS-006',
    'DNS-007',
    'NET-001',
    'NET-002',
    'NET-003',
    'NET-005',
    'NET-007',
    'NET-008',
    'NET-009',
    'NET-010',
    'VPN-001',
    'VPN-002',
    'VPN-003',
    'TCP-002',
    'TCP-003',
    'TCP-006',
    'TLS-009',
    'APP-001',
    'APP-002',
  ],
};

const M = defineMessages('HOST-001', {
  onlyLoopback: msg('only the loopback interface exists', '只有回环接口'),
  /** Each interface as `ip link` flags name it ('eth0 DOWN NO-CARRIER'). */
  linkStates: msg(
    (p: { links: string[] }) => p.links.join(', '),
    (p) => p.links.join(', '),
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const o = ofKind(ctx.observations, 'host.links')[0];
    if (!o) return null;
    const real = o.data.links.filter((l) => !l.loopback);
    // carrier null = unknown: count it as usable rather than guess a fault.
    if (real.some((l) => l.up && l.carrier !== false)) return null;
    const down = real.find((l) => !l.up && l.addresses.length > 0) ?? real.find((l) => !l.up);
    const state = real.map((l) => `${l.name} ${l.up ? 'UP' : 'DOWN'}${l.carrier === false ? ' NO-CARRIER' : ''}`);
    const summary = real.length === 0 ? M.onlyLoopback() : M.linkStates({ links: state });
    return makeFinding(meta, ctx, {
      vars: down ? { dev: down.name } : {},
      evidence: [evidence('host.links', summary, { links: o.data.links.map((l) => ({ name: l.name, up: l.up, carrier: l.carrier, kind: l.kind })) })],
      // Nothing to bring up: only the meta's second fix (cable, Wi-Fi, virtual adapter), by its own id.
      fix: down ? undefined : [{ summary: { id: registerMetaMessages(meta).fix[1]!, params: {} } }],
    });
  },
};
