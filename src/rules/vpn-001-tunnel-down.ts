import type { Rule, RuleMeta } from './types.js';
import { makeFinding } from './types.js';
import type { Fix } from '../model/report.js';
import { stateEvidence, targetAddresses, tunnels } from './vpn-common.js';
import { tr } from './helpers.js';

export const meta: RuleMeta = {
  code: 'VPN-001',
  slug: 'tunnel-down',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'The tunnel interface {dev} is {state}', zh: '虚拟网卡未启用/隧道未建立：隧道网卡 {dev} {state}' },
  explanation: {
    en: 'The target {dst} belongs to the virtual network, which is carried by the tunnel interface {dev}, but that interface is {state}: the VPN client is not running or did not bring it up, so the routes into the tunnel are gone too.',
    zh: '目标 {dst} 属于虚拟网络，应由隧道网卡 {dev} 承载，但该网卡{state}：VPN 客户端未运行或没有启用它，因此进入隧道的路由也不存在。',
  },
  evidence: { en: 'The link state of the tunnel interface (`ip -j link`) and the VPN service state.', zh: '隧道网卡的链路状态（`ip -j link`）以及 VPN 服务状态。' },
  fix: [
    { summary: { en: 'Bring the tunnel interface up', zh: '启用隧道网卡' }, command: 'ip link set {dev} up' },
    { summary: { en: 'Or start the VPN service that creates it', zh: '或者启动创建该网卡的 VPN 服务' }, command: 'systemctl start {service}' },
  ],
  explains: ['NET-001', 'DNS-001', 'VPN-003', 'VPN-005', 'VPN-008', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

/**
 * The tunnel that should carry the target is not there: named by --tunnel but absent, only a
 * config file (its service is not running), or its interface administratively down. A running
 * OpenVPN without its tun device is still trying: its handshake is judged (VPN-002/003), not this.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { data: s } of tunnels(ctx)) {
      const missing = s.source === 'missing' || (s.source === 'config' && !s.present);
      const down = s.present && s.up === false;
      if (!missing && !down && s.source !== 'config') continue;
      const state = down ? tr(ctx.lang, 'down', '处于关闭状态') : s.source === 'config' ? tr(ctx.lang, 'not running (configured only)', '未运行（仅有配置）') : tr(ctx.lang, 'missing', '不存在');
      const dst = targetAddresses(ctx)[0] ?? ctx.target.host;
      const fix: Fix[] = [];
      if (down) fix.push({ summary: tr(ctx.lang, 'Bring the tunnel interface up', '启用隧道网卡'), command: `ip link set ${s.dev} up` });
      if (s.service)
        fix.push({
          summary: tr(ctx.lang, `${down ? 'Or start' : 'Start'} the VPN service that creates ${s.dev}`, `${down ? '或者' : ''}启动创建 ${s.dev} 的 VPN 服务`),
          command: `systemctl start ${s.service}`,
        });
      if (fix.length === 0) fix.push({ summary: tr(ctx.lang, `Start the VPN client that creates ${s.dev} (check its service and log)`, `启动创建 ${s.dev} 的 VPN 客户端（检查其服务与日志）`) });
      return makeFinding(meta, ctx, {
        vars: { dev: s.dev, state, dst, service: s.service ?? s.dev },
        evidence: [stateEvidence(s, ctx.lang)],
        fix,
      });
    }
    return null;
  },
};
