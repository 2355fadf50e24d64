import type { Scenario } from '../scenario.js';
import { nginxMtls } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-007-nginx-mtls-tls-only',
  story: {
    en: 'The same nginx (ssl_verify_client on, TLS 1.3 only) checked as a plain TLS service: the handshake succeeds, but the encrypted CertificateRequest names the client CA and the server refuses requests without a certificate.',
    zh: '同一台 nginx（ssl_verify_client on，仅 TLS 1.3）按纯 TLS 服务检查：握手成功，但加密的 CertificateRequest 指明了客户端 CA，且服务器拒绝没有证书的请求。',
  },
  expect: 'TLS-007',
  target: 'tls://www.lab.test:4413',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await nginxMtls(lab, 4413, 'TLSv1.3');
  },
};
