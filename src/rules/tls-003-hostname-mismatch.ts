import { firstWith, serverLabel } from './tls-classify.js';
import { formatHostPort } from '../model/target.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg } from './types.js';

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

type Names = { sans: string[]; commonName: string | null };
/** The names the certificate covers: its subjectAltNames, else its CN (said so). */
const covers = (p: Names, lang: 'en' | 'zh'): string =>
  p.sans.length > 0 ? p.sans.join(lang === 'zh' ? '、' : ', ') : lang === 'zh' ? `CN=${p.commonName ?? '?'}（无 subjectAltName）` : `CN=${p.commonName ?? '?'} (no subjectAltName)`;

const M = defineMessages('TLS-003', {
  unrecognizedName: msg(
    (p: { address: string; port: number; name: string }) =>
      `The server at ${formatHostPort(p.address, p.port)} answered the name ${p.name} (SNI) with the alert unrecognized_name: it serves no certificate for this name. The name leads to the wrong server, or the server lacks a virtual host for it.`,
    (p) => `${formatHostPort(p.address, p.port)} 上的服务器对 SNI 名称 ${p.name} 返回了 unrecognized_name 告警：它没有该名称的证书。要么该名称指向了错误的服务器，要么服务器缺少该名称的虚拟主机配置。`,
  ),
  alert: msg(
    (p: { name: string; reason: string }) => `SNI ${p.name}: alert unrecognized_name (${p.reason})`,
    (p) => `SNI ${p.name}：收到 unrecognized_name 告警（${p.reason}）`,
  ),
  /** The meta's explanation for a certificate without subjectAltName: its CN stands for the names. */
  noSanExplanation: msg(
    (p: Names & { server: string; name: string; subject: string }) => fill(meta.explanation.en, { server: p.server, name: p.name, subject: p.subject, sans: covers(p, 'en') }),
    (p) => fill(meta.explanation.zh, { server: p.server, name: p.name, subject: p.subject, sans: covers(p, 'zh') }),
  ),
  mismatch: msg(
    (p: Names & { sni: string | null; address: string; subject: string; expired: string | null }) =>
      `${p.sni ? `SNI ${p.sni}` : `address ${p.address} (no SNI)`} vs certificate ${p.subject}: ${covers(p, 'en')}${p.expired ? `; the certificate also expired ${p.expired}` : ''}`,
    (p) => `${p.sni ? `SNI ${p.sni}` : `地址 ${p.address}（未发送 SNI）`} 与证书 ${p.subject} 不符：${covers(p, 'zh')}${p.expired ? `；该证书也已于 ${p.expired} 过期` : ''}`,
  ),
});

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
        explanation: M.unrecognizedName({ address: h.address, port: h.port, name }),
        evidence: [
          evidence('tls.handshake', M.alert({ name, reason: cls.reason }), {
            address: h.address,
            port: h.port,
            sni: h.sni,
            alert: 'unrecognized_name',
          }),
        ],
      });
    }
    const names = { sans: [...leaf.sans], commonName: leaf.commonName ?? null };
    const alsoExpired = Date.parse(leaf.notAfter) < ctx.now.getTime();
    const vars = { server: serverLabel(h), name, subject: leaf.subject, sans: leaf.sans.join(', ') };
    return makeFinding(meta, ctx, {
      vars,
      ...(leaf.sans.length === 0 ? { explanation: M.noSanExplanation({ ...names, server: vars.server, name, subject: leaf.subject }) } : {}),
      evidence: [
        evidence('tls.handshake', M.mismatch({ ...names, sni: h.sni, address: h.address, subject: leaf.subject, expired: alsoExpired ? leaf.notAfter : null }), {
          address: h.address,
          port: h.port,
          sni: h.sni,
          subject: leaf.subject,
          commonName: leaf.commonName,
          sans: [...leaf.sans],
          verifyCode: h.verify.code,
          ...(alsoExpired ? { notAfter: leaf.notAfter } : {}),
        }),
      ],
    });
  },
};
