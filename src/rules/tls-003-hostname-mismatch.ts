import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TLS-003',
  slug: 'hostname-mismatch',
  layer: 'tls',
  severity: 'error',
  title: { en: 'The certificate of {server} does not cover the name {name}', zh: '{server} 的证书域名不匹配（不包含 {name}）' },
  explanation: {
    en: 'The client asked for {name}, but the certificate presented ({subject}) is valid only for: {sans}. The server sends the wrong certificate for this name (a missing SNI virtual host, a default certificate), or the client uses a name the certificate was not issued for.',
    zh: '客户端访问的是 {name}，但服务器提供的证书（{subject}）只对以下名称有效：{sans}。要么服务器为该名称发送了错误的证书（缺少对应的 SNI 虚拟主机、返回了默认证书），要么客户端使用了证书未覆盖的名称。',
  },
  evidence: { en: 'The name sent in SNI (or the IP address used) against the subjectAltNames and CN of the certificate.', zh: 'SNI 中发送的名称（或使用的 IP 地址）与证书的 subjectAltName 和 CN 的对比。' },
  fix: [
    { summary: { en: 'Serve a certificate whose subjectAltName includes {name} (or configure the server block for {name} with its own certificate), or connect with a name the certificate covers', zh: '部署 subjectAltName 包含 {name} 的证书（或为 {name} 配置独立的虚拟主机及证书），或使用证书覆盖的名称访问' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['APP-002'],
};

export const rule: Rule = { meta, check: () => null };
