import { tr } from './helpers.js';
import { firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';

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
  evidence: {
    en: 'The name sent in SNI (or the IP address used) against the subjectAltNames and CN of the certificate.',
    zh: 'SNI 中发送的名称（或使用的 IP 地址）与证书的 subjectAltName 和 CN 的对比。',
  },
  fix: [
    {
      summary: {
        en: 'Serve a certificate whose subjectAltName includes {name} (or configure the server block for {name} with its own certificate), or connect with a name the certificate covers',
        zh: '部署 subjectAltName 包含 {name} 的证书（或为 {name} 配置独立的虚拟主机及证书），或使用证书覆盖的名称访问',
      },
    },
  ],
  explains: ['APP-002'],
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-003');
    if (!hit) return null;
    const { h, cls } = hit;
    const name = h.sni ?? h.address;
    const leaf = h.chain[0];
    if (!leaf) {
      // The server refused the name itself (alert unrecognized_name): no certificate to compare.
      return makeFinding(meta, ctx, {
        vars: { server: serverLabel(h), name, subject: '-', sans: '-' },
        explanation: tr(
          ctx.lang,
          `The server at ${h.address}:${h.port} answered the name ${name} (SNI) with the alert unrecognized_name: it serves no certificate for this name. The name leads to the wrong server, or the server lacks a virtual host for it.`,
          `${h.address}:${h.port} 上的服务器对 SNI 名称 ${name} 返回了 unrecognized_name 告警：它没有该名称的证书。要么该名称指向了错误的服务器，要么服务器缺少该名称的虚拟主机配置。`,
        ),
        evidence: [
          evidence('tls.handshake', tr(ctx.lang, `SNI ${name}: alert unrecognized_name (${cls.reason})`, `SNI ${name}：收到 unrecognized_name 告警（${cls.reason}）`), {
            address: h.address,
            port: h.port,
            sni: h.sni,
            alert: 'unrecognized_name',
          }),
        ],
      });
    }
    const sans = leaf.sans.length > 0 ? leaf.sans.join(', ') : tr(ctx.lang, `CN=${leaf.commonName ?? '?'} (no subjectAltName)`, `CN=${leaf.commonName ?? '?'}（无 subjectAltName）`);
    const alsoExpired = Date.parse(leaf.notAfter) < ctx.now.getTime();
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), name, subject: leaf.subject, sans },
      evidence: [
        evidence(
          'tls.handshake',
          tr(
            ctx.lang,
            `${h.sni ? `SNI ${h.sni}` : `address ${h.address} (no SNI)`} vs certificate ${leaf.subject}: ${sans}${alsoExpired ? `; the certificate also expired ${leaf.notAfter}` : ''}`,
            `${h.sni ? `SNI ${h.sni}` : `地址 ${h.address}（未发送 SNI）`} 与证书 ${leaf.subject} 不符：${sans}${alsoExpired ? `；该证书也已于 ${leaf.notAfter} 过期` : ''}`,
          ),
          {
            address: h.address,
            port: h.port,
            sni: h.sni,
            subject: leaf.subject,
            commonName: leaf.commonName,
            sans: [...leaf.sans],
            verifyCode: h.verify.code,
            ...(alsoExpired ? { notAfter: leaf.notAfter } : {}),
          },
        ),
      ],
    });
  },
};
