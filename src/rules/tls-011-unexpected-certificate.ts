import type { CertInfo } from '../model/observation.js';
import { firstWith, serverLabel } from './tls-classify.js';
import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg } from './types.js';

/** A certificate written in the form of the expected pin: 'sha256/BASE64' (SPKI) or 'sha256:hex' (certificate). */
export function pinOf(c: CertInfo, expected: string): string {
  if (expected.startsWith('sha256/')) return `sha256/${c.spki256 ?? '?'}`;
  return `sha256:${c.fingerprint256.replace(/:/g, '').toLowerCase()}`;
}

export const meta: RuleMeta = {
  code: 'TLS-011',
  slug: 'unexpected-certificate',
  layer: 'tls',
  severity: 'error',
  title: { en: '{server} presents a certificate that does not match the pin', zh: '{server} 的证书与预期不符/疑似中间人' },
  explanation: {
    en: 'The pin {expected} matches no certificate of the chain presented by {server} (leaf: {subject}, issued by {issuer}). Either something on the path intercepts TLS (a proxy or security appliance that issues its own certificates), or the name leads to a different server than intended, or the certificate was replaced and the pin is out of date.',
    zh: '固定值 {expected} 与 {server} 提供的证书链中任何一张证书都不匹配（叶子证书：{subject}，颁发者：{issuer}）。可能是路径上有设备拦截 TLS（自签证书的代理或安全网关），或该名称指向了非预期的服务器，也可能是证书已更换而固定值未更新。',
  },
  evidence: { en: 'The expected pin against the SHA-256 fingerprints and SPKI pins of every presented certificate.', zh: '预期固定值与服务器提供的每张证书的 SHA-256 指纹和 SPKI 固定值的对比。' },
  fix: [
    {
      summary: {
        en: "Compare with the certificate on the server itself; if it differs, find the intercepting device on the path (do not trust it); if the server's certificate was renewed on purpose, update the pin",
        zh: '与服务器本机上的证书比对；若不一致，找出路径上拦截 TLS 的设备（不要信任它）；若证书是有意更换的，更新固定值',
      },
    },
  ],
  explains: ['APP-002', 'TLS-001', 'TLS-002', 'TLS-003', 'TLS-004', 'TLS-005', 'TLS-008'],
};

/** Each presented certificate by position: '#0 CN=… sha256/…'. */
type Presented = { expected: string; subjects: string[]; pins: string[] };
const presentedText = (p: Presented, sep: string): string => p.subjects.map((s, i) => `#${i} ${s} ${p.pins[i]}`).join(sep);

const M = defineMessages('TLS-011', {
  pinMismatch: msg(
    (p: Presented) => `expected ${p.expected}; presented: ${presentedText(p, '; ')}`,
    (p) => `预期 ${p.expected}；服务器提供：${presentedText(p, '；')}`,
  ),
});

export const rule: Rule = {
  meta,
  check(ctx) {
    const hit = firstWith(ctx, 'TLS-011');
    if (!hit) return null;
    const { h } = hit;
    const expected = h.pin!.expected;
    const leaf = h.chain[0]!;
    const presented = h.chain.map((c, i) => ({ index: i, subject: c.subject, pin: pinOf(c, expected), fingerprint256: c.fingerprint256, spki256: c.spki256 }));
    return makeFinding(meta, ctx, {
      vars: { server: serverLabel(h), expected, subject: leaf.subject, issuer: leaf.issuer },
      evidence: [
        evidence('tls.handshake', M.pinMismatch({ expected, subjects: presented.map((p) => p.subject), pins: presented.map((p) => p.pin) }), {
          address: h.address,
          port: h.port,
          sni: h.sni,
          expected,
          presented,
          verifyCode: h.verify.code,
        }),
      ],
    });
  },
};
