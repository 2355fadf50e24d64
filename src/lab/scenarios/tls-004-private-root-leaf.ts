import type { Scenario } from '../scenario.js';
import { privateRootLeaf, sServer } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-004-private-root-leaf',
  story: {
    en: "An internal service's certificate is issued directly by the company's private root, which this client does not trust: not a missing intermediate — install the CA (or, if it were an intermediate, serve the chain).",
    zh: '内部服务的证书由公司私有根 CA 直接签发，而本客户端不信任该根：这不是缺少中间证书——应安装该 CA（若它其实是中间证书，则发送完整证书链）。',
  },
  expect: 'TLS-004',
  target: 'tls://www.lab.test:4414',
  async inject(lab) {
    const pki = await privateRootLeaf(lab, 'private-root-4414');
    await sServer(lab, 4414, pki);
  },
};
