import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tls-009-handshake-stall',
  story: { en: 'The port accepts the connection but the server never answers the ClientHello (a hung TLS terminator).', zh: '端口接受了连接，但服务器从不回应ClientHello（TLS终端进程挂死）。' },
  expect: 'TLS-009',
  target: 'stall.lab.test:443',
  args: ['--ca', '{ca}'],
};
