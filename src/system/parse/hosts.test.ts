import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHosts } from './hosts.js';
import { parseNsswitch } from './nsswitch.js';
import { parseListening } from './ss.js';
import { fixture } from '../fixture-files.js';
import { ParseError } from '../../model/errors.js';

test('hosts: line numbers, several names, comments, IPv6, skipped lines', () => {
  const h = parseHosts(
    ['127.0.0.1\tlocalhost', '# pinned', '203.0.113.7 api.lab.test api   # temporary', '::1 localhost ip6-localhost', '', 'bogus name', '198.51.100.9', '2001:db8::7 v6.lab.test'].join('\n'),
    '/etc/hosts',
  );
  assert.deepEqual(
    h.entries.map((e) => [e.line, e.address, e.names]),
    [
      [1, '127.0.0.1', ['localhost']],
      [3, '203.0.113.7', ['api.lab.test', 'api']],
      [4, '::1', ['localhost', 'ip6-localhost']],
      [8, '2001:db8::7', ['v6.lab.test']],
    ],
  );
  assert.equal(h.entries[1]?.text, '203.0.113.7 api.lab.test api   # temporary');
  assert.deepEqual(
    h.ignored?.map((x) => x.line),
    [6, 7],
  );
  assert.ok(parseHosts(fixture('root-hosts')).entries.some((e) => e.names.includes('localhost')));
});

test('nsswitch: the hosts line, actions kept in order, glibc default when missing', () => {
  assert.deepEqual(parseNsswitch(fixture('root-nsswitch.conf')).hosts, ['files', 'dns']);
  const n = parseNsswitch('passwd: files\nhosts:  files mdns4_minimal [ NOTFOUND = return ] dns myhostname # c\nhosts: dns\n');
  assert.deepEqual(n.hosts, ['files', 'mdns4_minimal', '[NOTFOUND=return]', 'dns', 'myhostname']);
  assert.equal(n.line, 2);
  const d = parseNsswitch('passwd: files\n');
  assert.deepEqual([d.defaulted, d.hosts[0]], [true, 'dns']);
});

test('ss: listening TCP and bound UDP sockets with their process', () => {
  const s = parseListening(fixture('lab-ss-ltnup.txt'));
  assert.deepEqual(
    s.map((x) => [x.proto, x.local, x.port, x.process]),
    [
      ['udp', '127.0.0.1', 5353, 'socat'],
      ['udp', '*', 5354, 'socat'],
      ['tcp', '198.51.100.1', 8080, 'socat'],
      ['tcp', '*', 8443, 'socat'],
    ],
  );
  assert.ok(s.every((x) => typeof x.pid === 'number'));
  const root = parseListening(fixture('root-ss-ltnup.txt'));
  assert.ok(root.every((x) => x.proto === 'tcp' || x.proto === 'udp'));
  assert.deepEqual(parseListening('tcp LISTEN 0 4096 [::1]:631 [::]:*\nudp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:*\n'), [
    { proto: 'tcp', local: '[::1]', port: 631, process: null },
    { proto: 'udp', local: '127.0.0.53%lo', port: 53, process: null },
  ]);
  assert.throws(() => parseListening('tcp LISTEN 0 5 nope *:*'), ParseError);
  assert.throws(() => parseListening('tcp LISTEN'), /line 1|:1:/);
});
