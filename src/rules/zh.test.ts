/**
 * `netdx diagnose … --lang zh` speaks Chinese: every rule, over every context its own tests build,
 * is judged again in zh by fixtures.run(), and the finding's title, explanation, every evidence
 * summary and every fix summary must hold no English prose. This file checks the definition.
 *
 * English prose (englishProse in ./zh-fixtures.ts): after blanking technical tokens — `code spans`,
 * "quoted verbatim data", URLs, file paths, command lines (ip route …, ss -ltnp …, wg show …),
 * certificate fields (CN=…), IPv4/IPv6 addresses, CIDRs and host:port, options (--expect-ip), tokens
 * with a digit or inner '.', '_', '=', '@', '/', ':' or '-' (eth0, TLSv1.2, 0x1f, tls-auth),
 * UPPERCASE tokens (ECONNREFUSED, TCP, DNS-001), camelCase identifiers and the allow-listed
 * technical words (TCP, UDP, ICMP, DNS, TLS, SYN, RST, MSS, MTU, NAT, RTT, WireGuard, OpenVPN,
 * OCSP, SNI, HTTP, iptables, nftables, conntrack, keepalive, units ms/s/KiB, …) — the text is cut
 * at every Chinese character and full-width punctuation mark; a piece that still holds two or more
 * ASCII words of three or more letters is English prose ("connection refused" is; "TCP
 * 10.0.0.1:80：RST" is not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULES } from './index.js';
import { englishProse } from './zh-fixtures.js';

test('englishProse: English sentences are prose, technical tokens in Chinese text are not', () => {
  for (const en of [
    'connection refused',
    'TCP 203.0.113.10:443: connection refused (RST) after 0 ms (ECONNREFUSED)',
    'no route to host',
    '本机：no TCP socket listens on port 443',
    'default via 198.51.100.1 dev eth0',
    'the certificate expired 3 days ago',
  ])
    assert.notDeepEqual(englishProse(en), [], `should be English prose: ${en}`);
  for (const zh of [
    'TCP 10.0.0.1:80：RST',
    'TCP 203.0.113.10:443：0 毫秒后连接被拒绝（RST）（ECONNREFUSED）',
    'getaddrinfo(app.lab.test)：EAI_AGAIN',
    "在服务器上执行 `ss -ltnp 'sport = :443'`",
    '/etc/resolv.conf：nameserver 198.51.100.53（超时 5 秒，重试 2 次）',
    '证书主体 CN=app.lab.test, O=Lab Org，颁发者 CN=Lab CA',
    'wg0 的 MTU 为 1420，WireGuard 隧道开销 80 字节',
    'TLSv1.2 与 TLSv1.3 均握手失败（SSL_ERROR_SYSCALL）',
    '[2001:db8::10]:443 的 SYN 无应答',
    '连接结果为"Network is unreachable"',
    'ip route get 203.0.113.10 显示经由 eth0',
  ])
    assert.deepEqual(englishProse(zh), [], `should not be English prose: ${zh}`);
});

test('every rule is judged in zh: its test file builds its contexts through fixtures.run()', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const files = readdirSync(here);
  for (const r of RULES) {
    const file = files.find((f) => f.startsWith(`${r.meta.code.toLowerCase()}-`) && f.endsWith('.test.js'));
    assert.ok(file, `${r.meta.code}: no test file`);
    assert.match(readFileSync(here + file, 'utf8'), /\brun\(/, `${r.meta.code}: ${file} never calls run(), so its contexts are not judged in zh`);
  }
});
