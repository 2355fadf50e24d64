import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timezoneName } from './host.js';

function root(setup: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'ndx-tz-'));
  mkdirSync(join(dir, 'etc'));
  setup(dir);
  return dir;
}

test('timezoneName: TZ first, then the /etc/localtime link, then /etc/timezone; UTC aliases are UTC', () => {
  const linked = root((d) => symlinkSync('/usr/share/zoneinfo/Asia/Shanghai', join(d, 'etc/localtime')));
  assert.equal(timezoneName({}, linked), 'Asia/Shanghai');
  assert.equal(timezoneName({ TZ: ':Europe/Berlin' }, linked), 'Europe/Berlin');
  assert.equal(timezoneName({ TZ: '/usr/share/zoneinfo/Asia/Tokyo' }, linked), 'Asia/Shanghai', 'a TZ file path is not a name: the link decides');
  const posix = root((d) => symlinkSync('../usr/share/zoneinfo/posix/America/New_York', join(d, 'etc/localtime')));
  assert.equal(timezoneName({}, posix), 'America/New_York');
  const utc = root((d) => symlinkSync('/usr/share/zoneinfo/Etc/UTC', join(d, 'etc/localtime')));
  assert.equal(timezoneName({}, utc), 'UTC');
  const file = root((d) => {
    writeFileSync(join(d, 'etc/localtime'), 'TZif2…');
    writeFileSync(join(d, 'etc/timezone'), 'Asia/Hong_Kong\n');
  });
  assert.equal(timezoneName({}, file), 'Asia/Hong_Kong');
  // nothing to read: the runtime's own idea (Intl), never an exception
  assert.equal(
    typeof timezoneName(
      {},
      root(() => {}),
    ),
    'string',
  );
});
