import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'host-004-dead-proxy',
  story: { en: 'A leftover HTTPS_PROXY points at the gateway, where no proxy runs any more.', zh: '残留的 HTTPS_PROXY 指向网关，而网关上早已没有代理服务。' },
  expect: 'HOST-004',
  target: 'https://www.lab.test/',
  args: ['--ca', '{ca}'],
  env: { HTTPS_PROXY: `http://${ADDR.gwLan}:3128` },
};
