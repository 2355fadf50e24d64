import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineMessages, fillParams, fillTemplate, msg, registerMessage, renderMessage, speak } from './message.js';

const M = defineMessages('TEST-MSG', {
  fixed: msg('a fixed text', '固定文本'),
  template: msg('port {port} on {hosts}', '{hosts} 上的端口 {port}'),
  fn: msg(
    (p: { n: number; errno: string | null }) => `${p.n} lost${p.errno ? ` (${p.errno})` : ''}`,
    (p) => `丢失 ${p.n} 个${p.errno ? `（${p.errno}）` : ''}`,
  ),
});

test('a builder gives the id and a copy of the params; the catalog renders it in both languages', () => {
  const params = { n: 3, errno: 'EHOSTUNREACH' };
  const m = M.fn(params);
  assert.deepEqual(m, { id: 'TEST-MSG.fn', params: { n: 3, errno: 'EHOSTUNREACH' } });
  assert.notEqual(m.params, params);
  assert.equal(renderMessage(m, 'en'), '3 lost (EHOSTUNREACH)');
  assert.equal(renderMessage(m, 'zh'), '丢失 3 个（EHOSTUNREACH）');
  assert.equal(renderMessage(M.fn({ n: 0, errno: null }), 'en'), '0 lost');
  assert.equal(renderMessage(M.fixed(), 'zh'), '固定文本');
});

test('a template joins a list in the language’s way and leaves an unknown placeholder visible', () => {
  const m = { id: 'TEST-MSG.template', params: { port: 22, hosts: ['a', 'b'] } };
  assert.equal(renderMessage(m, 'en'), 'port 22 on a, b');
  assert.equal(renderMessage(m, 'zh'), 'a、b 上的端口 22');
  assert.equal(fillParams('{x} and {y}', { x: 1 }, 'en'), '1 and {y}');
});

test('a message survives JSON: the same text from the parsed report', () => {
  const m = M.template({ port: 443, hosts: ['10.0.0.1'] });
  assert.equal(renderMessage(JSON.parse(JSON.stringify(m)), 'zh'), renderMessage(m, 'zh'));
});

test('an id is defined once; an unknown id falls back to the stored text', () => {
  assert.throws(() => defineMessages('TEST-MSG', { fixed: msg('other', '其他') }), /TEST-MSG\.fixed is defined twice/);
  registerMessage('TEST-MSG.meta', { en: 'x', zh: 'y' });
  registerMessage('TEST-MSG.meta', { en: 'x', zh: 'y' });
  assert.throws(() => registerMessage('TEST-MSG.meta', { en: 'x', zh: 'z' }), /defined twice/);
  assert.equal(renderMessage({ id: 'TEST-MSG.meta', params: {} }, 'zh'), 'y');
  assert.equal(renderMessage({ id: 'NOPE.none', params: {} }, 'en'), null);
  assert.equal(speak('stored text', { id: 'NOPE.none', params: {} }, 'zh'), 'stored text');
  assert.equal(speak('stored text', undefined, 'zh'), 'stored text');
  assert.equal(speak('a fixed text', M.fixed(), 'zh'), '固定文本');
});

test('fillTemplate: an IPv6 address before :{port} is bracketed, elsewhere and for IPv4 it is not', () => {
  const v = (m: Record<string, string>) => (k: string) => m[k];
  assert.equal(fillTemplate('{address}:{port} and {address}', v({ address: '2001:db8::1', port: '443' })), '[2001:db8::1]:443 and 2001:db8::1');
  assert.equal(fillTemplate('{dst}:{port}', v({ dst: '[2001:db8::1]', port: '443' })), '[2001:db8::1]:443', 'already bracketed');
  assert.equal(fillTemplate('{address}:{port}', v({ address: '203.0.113.10', port: '443' })), '203.0.113.10:443');
  assert.equal(fillTemplate('{address}:{other}', v({ address: '2001:db8::1', other: 'x' })), '2001:db8::1:x');
  assert.equal(fillTemplate('{missing}:{port}', v({ port: '1' })), '{missing}:1', 'an unknown name stays visible');
});
