import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'net-006-local-firewall-drop',
  story: { en: "The client's own firewall drops outgoing HTTPS (a hardening script's OUTPUT rule).", zh: '客户端本机防火墙丢弃了出站HTTPS（加固脚本添加的OUTPUT规则）。' },
  expect: 'NET-006',
  offline: 'NET-006',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('client', '-A OUTPUT -p tcp --dport 443 -j DROP');
    await lab.iptables('client', '-A OUTPUT -p tcp --dport 443 -j DROP', { v6: true });
  },
};
