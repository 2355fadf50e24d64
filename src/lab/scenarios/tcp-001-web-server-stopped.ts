import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tcp-001-web-server-stopped',
  story: { en: 'The web server process is stopped: the host is up and answers every connection with a reset.', zh: 'Web服务进程已停止：主机在线，但每个连接都被RST。' },
  expect: 'TCP-001',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.stopService('nginx');
  },
};
