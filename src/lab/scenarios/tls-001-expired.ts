import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-001-expired',
  story: { en: "The server's certificate expired 30 days ago (the renewal job died).", zh: '服务器证书已于30天前过期（续期任务失效）。' },
  expect: 'TLS-001',
  target: 'expired.lab.test:443',
  args: ['--ca', '{ca}'],
};
