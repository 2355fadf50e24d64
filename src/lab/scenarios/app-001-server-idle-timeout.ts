import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'app-001-server-idle-timeout',
  story: {
    en: 'The heartbeat every 3 s is slower than the server allows: the line service on port 7001 drops a session after 2 s without input, so the session dies between two beats.',
    zh: '客户端每3秒发一次心跳，比服务器允许的慢：7001端口的行服务在2秒无输入后断开会话，会话在两次心跳之间就断了。',
  },
  expect: 'APP-001',
  target: 'hb.lab.test:7001',
  args: ['--heartbeat', 'send=PING;expect=PONG;every=3s;count=2;timeout=1s'],
  async inject(lab) {
    // socat -T 2: a session with no traffic for 2 s is closed (the server's idle timeout).
    await lab.background(
      'srv',
      'hb-idle-2s',
      ['socat', '-T', '2', `TCP4-LISTEN:7001,bind=${SERVICES.hb.v4},reuseaddr,fork`, 'SYSTEM:sed -u s/^PING/PONG/'],
      `ss -Hltn | grep -q '${SERVICES.hb.v4}:7001'`,
    );
    await lab.background(
      'srv',
      'hb-idle-2s-v6',
      ['socat', '-T', '2', `TCP6-LISTEN:7001,bind=[${SERVICES.hb.v6}],reuseaddr,fork,ipv6only=1`, 'SYSTEM:sed -u s/^PING/PONG/'],
      `ss -Hltn | grep -q '${SERVICES.hb.v6}\\]:7001'`,
    );
  },
};
