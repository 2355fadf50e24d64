import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { hardResetPacket, isServerReset, openvpnReset } from './openvpn-reset.js';
import { probeContext } from './types.js';

const SID = Buffer.from('0102030405060708', 'hex');
// Captured from OpenVPN 2.6.14 (lab): opcode 8, server session, one ack (packet id 0) of our session, packet id 0.
const serverReset = (sid: Buffer): Buffer => Buffer.concat([Buffer.from('402199bcdb8df7a408' + '01' + '00000000', 'hex'), sid, Buffer.alloc(4)]);

test('the client hard reset is 14 bytes: opcode 7 key 0, session id, no acks, packet id 0', () => {
  assert.equal(hardResetPacket(SID).toString('hex'), '38' + '0102030405060708' + '00' + '00000000');
  assert.throws(() => hardResetPacket(Buffer.alloc(4)));
});

test('a server reset acknowledging our session is recognized; another session, opcode or junk is not', () => {
  assert.equal(isServerReset(serverReset(SID), SID), true);
  assert.equal(isServerReset(serverReset(Buffer.alloc(8)), SID), false);
  const data = serverReset(SID);
  data[0] = 0x48; // opcode 9 (data)
  assert.equal(isServerReset(data, SID), false);
  assert.equal(isServerReset(Buffer.from([0x40, 1, 2]), SID), false);
});

test('loopback: a server that answers the reset → answered; a closed port → refused', async () => {
  const srv = createSocket('udp4');
  srv.on('message', (m, r) => {
    if (m[0] === 0x38) srv.send(serverReset(m.subarray(1, 9)), r.port, r.address);
  });
  await new Promise<void>((res) => srv.bind(0, '127.0.0.1', res));
  const port = srv.address().port;
  try {
    assert.equal((await openvpnReset({ address: '127.0.0.1', port }, probeContext(1000))).outcome, 'answered');
  } finally {
    srv.close();
  }
  assert.equal((await openvpnReset({ address: '127.0.0.1', port }, probeContext(1000))).outcome, 'refused');
});

test('loopback: a silent UDP port → no-answer when the budget ends', async () => {
  const srv = createSocket('udp4');
  await new Promise<void>((res) => srv.bind(0, '127.0.0.1', res));
  try {
    const r = await openvpnReset({ address: '127.0.0.1', port: srv.address().port }, probeContext(200));
    assert.equal(r.outcome, 'no-answer');
  } finally {
    srv.close();
  }
});
