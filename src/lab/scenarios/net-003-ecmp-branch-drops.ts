import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-003-ecmp-branch-drops',
  story: {
    en: 'The core balances mp.lab.test per flow (L4 hash) over two branch routers; a bad ACL on br2 drops everything it forwards to the server. About half the connections hang, the rest work.',
    zh: '核心路由器按流（四层哈希）把到 mp.lab.test 的流量分担到两台分支路由器；br2 上一条错误的 ACL 丢弃了它转发给服务器的全部报文。大约一半连接卡住，其余正常。',
  },
  expect: 'NET-003',
  target: 'mp.lab.test:7000',
  async inject(lab) {
    await lab.iptables('br2', `-A FORWARD -d ${ADDR.mp} -j DROP`);
  },
};
