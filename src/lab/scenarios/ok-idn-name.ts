import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-idn-name',
  story: {
    en: 'A healthy web server reached by an internationalized name (bücher.lab.test): netdx resolves and sends its A-label (xn--bcher-kva.lab.test), as curl and browsers do.',
    zh: '通过国际化域名（bücher.lab.test）访问一台正常的Web服务器：netdx 像 curl 和浏览器一样，解析并发送其 A-label 形式（xn--bcher-kva.lab.test）。',
  },
  expect: 'ok',
  target: 'http://bücher.lab.test/',
};
