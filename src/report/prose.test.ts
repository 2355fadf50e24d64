import { test } from 'node:test';
import assert from 'node:assert/strict';
import { englishRuns } from './prose.js';

test('prose heuristic: English sentences are caught, technical tokens are not', () => {
  assert.deepEqual(englishRuns('the resolver did not answer'), ['the resolver did not answer']);
  assert.equal(englishRuns('解析服务器无应答：nobody answered the query').length, 1);
  for (const ok of [
    '没有到 203.0.113.10 的路由（内核报 ENETUNREACH）',
    '执行 `ip route add default via 198.51.100.1 dev eth0`',
    '证书 CN=www.lab.test, O=netdx lab 已过期',
    '到 [2001:db8::10]:443 的 TCP 连接被拒绝（RST）',
    '检查 /etc/resolv.conf 与 systemd-resolved',
    'TLS 握手超时（5000 ms），ICMP 限速',
    '在 nginx 中配置 ssl_certificate，使用 --ca 指定',
    '$ iptables -D OUTPUT -p tcp --dport 443 -j DROP',
  ])
    assert.deepEqual(englishRuns(ok), [], ok);
});
