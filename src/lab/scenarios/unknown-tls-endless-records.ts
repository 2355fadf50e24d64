import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-tls-endless-records',
  story: {
    en: 'A hostile server answers the ClientHello with TLS records that never end (empty HelloRequests, never a ServerHello): netdx must stop reading, bounded, and say it could not judge.',
    zh: '恶意服务器用永不结束的 TLS 记录回应 ClientHello（空的 HelloRequest，从不发送 ServerHello）：netdx 必须有界地停止读取，并说明无法判定。',
  },
  expect: 'unknown',
  target: 'tls://www.lab.test:4404',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await hostile(lab, 'endless', 4404);
  },
};
