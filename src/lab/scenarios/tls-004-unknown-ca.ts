import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-004-unknown-ca',
  story: {
    en: "The server's chain ends in the company's private CA, which this client does not trust (the CA was never installed).",
    zh: '服务器证书链的根是公司私有CA，而该客户端不信任它（从未安装该CA）。',
  },
  expect: 'TLS-004',
  target: 'www.lab.test:443',
};
