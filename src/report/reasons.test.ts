import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowReason } from './reasons.js';

test('rowReason: as written for a reader of its language; for another, from its message with its nested reason told again', () => {
  const row = {
    reason: 'no tunnel found to carry the target (tunnel state unavailable: ip not installed)',
    reasonMessage: { id: 'skip.tunnelUnavailable', params: { why: 'ip not installed' } },
  };
  assert.equal(rowReason('en', 'en', row), row.reason);
  assert.equal(rowReason(undefined, 'zh', row), row.reason, 'a report that does not say its language is shown as it is');
  const zh = rowReason('en', 'zh', row);
  assert.match(zh, /^未找到承载该目标的隧道（隧道状态不可用：/);
  assert.doesNotMatch(zh, /no tunnel found/);
  // Without a message (a report stored by an older version): the text through the reason templates, else verbatim.
  assert.equal(rowReason('en', 'zh', { reason: 'the server closed the connection (FIN) before any TLS answer' }), '服务器在任何 TLS 应答之前关闭了连接（FIN）');
  assert.equal(rowReason('en', 'zh', { reason: 'ERR_X' }), 'ERR_X');
  assert.equal(rowReason('en', 'zh', { reason: 'target is an IP address', reasonMessage: { id: 'skip.ipLiteral', params: {} } }), '目标是 IP 地址');
});
