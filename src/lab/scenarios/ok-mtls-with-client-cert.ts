import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-mtls-with-client-cert',
  story: { en: 'Healthy baseline, mutual TLS: the server demands a client certificate and the client has one.', zh: '健康基线（双向TLS）：服务器要求客户端证书，客户端提供了有效证书。' },
  expect: 'ok',
  target: 'mtls.lab.test:443',
  args: ['--ca', '{ca}', '--cert', '{client-cert}', '--key', '{client-key}'],
};
