import type { Scenario } from '../scenario.js';
import { hostile } from '../hostile.js';

export const scenario: Scenario = {
  id: 'unknown-http-never-answers',
  story: {
    en: 'A hung web server accepts the request and never answers: no fault code names a hang on a healthy path, so netdx says it could not judge, with the timeout.',
    zh: '挂死的 Web 服务器接受请求后从不回应：在健康的路径上，没有故障代码能命名这种挂死，netdx 给出超时并说明无法判定。',
  },
  expect: 'unknown',
  target: 'http://www.lab.test:4408/',
  async inject(lab) {
    await hostile(lab, 'http-silent', 4408);
  },
};
