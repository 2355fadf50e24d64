import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetdxError, usageError } from './errors.js';

test('a NetdxError from another copy of the module (the unbundled lab under the bundled CLI) is still a NetdxError', async () => {
  const copy = (await import(`./errors.js?copy=${Date.now()}`)) as typeof import('./errors.js');
  assert.notEqual(copy.NetdxError, NetdxError, 'a second module instance');
  const e: unknown = copy.usageError({ en: "--only 'x': no such scenario", zh: "--only 'x'：没有这个场景" });
  assert.ok(e instanceof NetdxError);
  assert.equal((e as NetdxError).text('zh'), "--only 'x'：没有这个场景");
  assert.ok(usageError({ en: 'x', zh: 'x' }) instanceof copy.NetdxError);
  assert.ok(!(new Error('plain') instanceof NetdxError));
  assert.ok(!((null as unknown as object) instanceof NetdxError));
});
