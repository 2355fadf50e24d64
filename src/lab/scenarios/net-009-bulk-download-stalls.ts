import type { Scenario } from '../scenario.js';
import { gwCoreMtuBlackhole } from '../injections.js';

export const scenario: Scenario = {
  id: 'net-009-bulk-download-stalls',
  story: {
    en: "Plain HTTP over the same MTU blackhole (gateway–core link at MTU 1400, 'fragmentation needed' filtered): the connect and the small request pass, the 256 KiB download never arrives.",
    zh: '同样的MTU黑洞下的普通HTTP（网关与核心之间链路MTU为1400，“需要分片”被过滤）：连接和小请求都能通过，256 KiB 的下载永远收不到。',
  },
  expect: 'NET-009',
  target: 'http://www.lab.test/download',
  inject: gwCoreMtuBlackhole,
};
