import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'host-003-clock-behind',
  story: {
    en: "The client's clock is two hours behind: a certificate issued an hour ago looks not yet valid. (The lab cannot move one namespace's clock, so the server's clock runs two hours ahead: its HTTP Date says so, and its certificate is valid by that clock.)",
    zh: '客户端时钟慢了两小时：一小时前签发的证书看起来“尚未生效”。（实验室无法单独修改某个命名空间的时钟，因此让服务器时钟快两小时：其HTTP Date头如此显示，证书按该时钟有效。）',
  },
  expect: 'HOST-003',
  target: 'skew.lab.test:443',
  args: ['--ca', '{ca}'],
};
