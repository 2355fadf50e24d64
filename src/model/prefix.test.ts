import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { ipFamily } from './prefix.js';

const nodeFamily = (s: string): 4 | 6 | null => (isIP(s) === 4 ? 4 : isIP(s) === 6 ? 6 : null);

test('ipFamily judges IP literals as node’s net.isIP does: valid addresses of both families, zones, embedded IPv4', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.ipV4Extended(),
        fc.ipV6().map((a) => `${a}%eth0`),
      ),
      (a) => assert.equal(ipFamily(a), nodeFamily(a), a),
    ),
    { numRuns: 3000 },
  );
});

test('ipFamily agrees with net.isIP on near-addresses (random text over the address alphabet)', () => {
  const near = fc.stringMatching(/^[0-9a-fA-F:.%-]{0,41}$/);
  fc.assert(
    fc.property(near, (s) => assert.equal(ipFamily(s), nodeFamily(s), JSON.stringify(s))),
    { numRuns: 20000 },
  );
  for (const s of ['::ffff:01.2.3.4', '01.2.3.4', '1.2.3', '1.2.3.4%eth0', 'fe80::1%eth0', '::1', '[::1]', '::1/64', '']) assert.equal(ipFamily(s), nodeFamily(s), s);
});
