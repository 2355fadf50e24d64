import type { Scenario } from '../scenario.js';
import { WG_HUB, WG_PORT, wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'net-006-firewall-blocks-wireguard',
  story: {
    en: "A hardening script on the client drops outgoing UDP to port 51820: the WireGuard interface is up and configured, its handshakes never leave the machine, and the virtual LAN's server cannot be pinged. netdx names the client's own rule, not the path or the keys.",
    zh: '客户端上的加固脚本丢弃了发往 51820 端口的出站 UDP：WireGuard 网卡已启用且配置正确，但握手报文出不了本机，虚拟局域网的服务器 ping 不通。netdx 指出的是本机的那条规则，而不是路径或密钥。',
  },
  expect: 'NET-006',
  offline: 'NET-006',
  alsoExpect: ['VPN-003'],
  target: WG_HUB,
  async inject(lab) {
    await lab.iptables('client', `-A OUTPUT -p udp --dport ${WG_PORT} -j DROP`);
    await wireguardHub(lab, { connect: false });
  },
};
