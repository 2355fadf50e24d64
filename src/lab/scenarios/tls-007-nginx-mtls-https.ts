import type { Scenario } from '../scenario.js';
import { nginxMtls } from '../hostile.js';

export const scenario: Scenario = {
  id: 'tls-007-nginx-mtls-https',
  story: {
    en: 'nginx with ssl_verify_client on: the TLS handshake completes without a client certificate, then every request gets HTTP 400 "No required SSL certificate was sent".',
    zh: 'nginx 配置了 ssl_verify_client on：没有客户端证书时 TLS 握手照样完成，随后每个请求都得到 HTTP 400 "No required SSL certificate was sent"。',
  },
  expect: 'TLS-007',
  target: 'https://www.lab.test:4412/',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await nginxMtls(lab, 4412, 'TLSv1.2 TLSv1.3');
  },
};
