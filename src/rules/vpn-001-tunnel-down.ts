import type { Lang } from '../model/layer.js';
import type { FixPart, Rule, RuleMeta } from './types.js';
import { defineMessages, makeFinding, msg, registerMetaMessages, metaText } from './types.js';
import { stateEvidence, targetAddresses, tunnels } from './vpn-common.js';

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

/** Why the tunnel is not there: its interface is down, only a config names it, or nothing does. */
type State = 'down' | 'config' | 'missing';
type Case = { dev: string; state: State; dst: string };

const STATE: Record<Lang, Record<State, string>> = {
  en: { down: 'down', config: 'not running (configured only)', missing: 'missing' },
  zh: { down: '处于关闭状态', config: '未运行（仅有配置）', missing: '不存在' },
};
/** The meta's placeholders in a language (the state word told, not passed). */
const words = (lang: Lang, p: Case): Record<string, string> => ({ dev: p.dev, dst: p.dst, state: STATE[lang][p.state] });

const M = defineMessages('VPN-001', {
  stateTitle: metaText(meta.title, words),
  stateWhy: metaText(meta.explanation, words),
  startService: msg(
    (p: { dev: string; or: boolean }) => `${p.or ? 'Or start' : 'Start'} the VPN service that creates ${p.dev}`,
    (p) => `${p.or ? '或者' : ''}启动创建 ${p.dev} 的 VPN 服务`,
  ),
  startClient: msg(
    (p: { dev: string }) => `Start the VPN client that creates ${p.dev} (check its service and log)`,
    (p) => `启动创建 ${p.dev} 的 VPN 客户端（检查其服务与日志）`,
  ),
});

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
      const c: Case = { dev: s.dev, state: down ? 'down' : s.source === 'config' ? 'config' : 'missing', dst: targetAddresses(ctx)[0] ?? ctx.target.host };
      const fix: FixPart[] = [];
      // The meta's first fix ('Bring the tunnel interface up') by its own id.
      if (down) fix.push({ summary: { id: registerMetaMessages(meta).fix[0]!, params: { dev: s.dev } }, command: `ip link set ${s.dev} up` });
      if (s.service) fix.push({ summary: M.startService({ dev: s.dev, or: down }), command: `systemctl start ${s.service}` });
      if (fix.length === 0) fix.push({ summary: M.startClient({ dev: s.dev }) });
      return makeFinding(meta, ctx, {
        vars: { dev: s.dev, dst: c.dst, service: s.service ?? s.dev },
        title: M.stateTitle(c),
        explanation: M.stateWhy(c),
        evidence: [stateEvidence(s)],
        fix,
      });
    }
    return null;
  },
};
