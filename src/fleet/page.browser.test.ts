/**
 * The web page in a real browser (playwright-core driving Debian's chromium): sign in with an
 * operator token, read the fleet matrix and an incident's timeline, in English and Chinese; and
 * everything an agent sent — target names, finding titles, fix commands — shows as text, never
 * runs (a target named `<script>…` included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDb } from './db.js';
import { FleetStore } from './store.js';
import { createFleetServer } from './server.js';
import { parseTargets } from './targets.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { REPORT_SCHEMA_ID, type Report } from '../model/report.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const EVIL = '<script>window.pwned=1</script>';
const EVIL_TITLE = 'Traffic goes via <img src=x onerror="window.pwned=2">';

function report(target: string): Report {
  const f = {
    code: 'NET-004',
    slug: 'route-conflict',
    layer: 'network' as const,
    severity: 'error' as const,
    title: EVIL_TITLE,
    explanation: 'A more specific route wins.',
    evidence: [{ observation: 'route.lookup', summary: 'route to 203.0.113.80 via 100.64.20.254 dev eth0' }],
    fix: [{ summary: 'Delete the route', command: 'ip route del 203.0.113.80 via 100.64.20.254' }],
  };
  return {
    schema: REPORT_SCHEMA_ID,
    target: { input: target, host: '203.0.113.80', port: 443, protocol: 'tcp' },
    startedAt: new Date().toISOString(),
    durationMs: 900,
    verdict: 'fault',
    primary: f,
    findings: [f],
    layers: [],
    observations: [],
  };
}

test(
  'web page: sign-in, matrix, incident timeline, zh, and agent text escaped',
  { skip: CHROMIUM ? false : 'Debian chromium is not installed (scripts/setup-debian.sh installs it)', timeout: 120_000 },
  async () => {
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'netdx-page-'));
    const store = new FleetStore(await openDb({ dir }));
    const fleet = createFleetServer({ store, targets: () => parseTargets('', '(none)'), lang: 'en', heartbeatS: 5, tickMs: 60_000, log: () => {} });
    await new Promise<void>((r) => fleet.server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(fleet.server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    try {
      const op = (await store.createToken('operator', 'alice', {})).token;
      for (const [name, region, down] of [
        ['sh-01', 'sh', true],
        ['sh-02', 'sh', true],
        ['bj-01', 'bj', false],
      ] as const) {
        const agent = { ...(await store.createToken('agent', name, { region })), kind: 'agent' as const, name, labels: { region }, createdAt: 0, revokedAt: null };
        const now = Date.now();
        const events = down
          ? [{ seq: 1, at: now, kind: 'change' as const, target: EVIL, from: 'up' as const, to: 'down' as const, codes: ['NET-004'], report: report(EVIL) }]
          : [{ seq: 1, at: now, kind: 'heartbeat' as const, targets: [{ target: EVIL, state: 'up' as const, since: now, codes: [] }], version: '0.1.0' }];
        assert.equal((await store.ingest(agent, { protocol: PROTOCOL_VERSION, agent: name, events }, now)).status, 200);
      }
      await fleet.correlateNow();
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      // Without a session the page asks for a token; an agent's token is not one.
      await page.goto(base + '/');
      assert.match(page.url(), /\/login/);
      await page.fill('input[name=token]', 'ndxo_wrong');
      await page.click('button[type=submit]');
      assert.match((await page.textContent('body')) ?? '', /not a live operator token/);
      await page.fill('input[name=token]', op);
      await page.click('button[type=submit]');
      await page.waitForSelector('#matrix');
      const matrix = (await page.textContent('#matrix')) ?? '';
      assert.ok(matrix.includes(EVIL), 'the target name shows as text');
      assert.match(matrix, /down NET-004 2\/2/);
      assert.match(matrix, /up 0\/1/);
      assert.equal(await page.getAttribute('#matrix tr:nth-child(3) td', 'data-state'), 'down');
      await page.click('#incidents a');
      await page.waitForSelector('#timeline');
      const body = (await page.textContent('body')) ?? '';
      assert.ok(body.includes(EVIL_TITLE), 'the finding title shows as text');
      assert.match(body, /on 2\/2 agents of region=sh \(0\/1 of region=bj\)/);
      assert.match((await page.textContent('#timeline')) ?? '', /Classified.*met/s);
      assert.match(body, /ip route del 203\.0\.113\.80 via 100\.64\.20\.254/);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
      assert.equal(await page.locator('img').count(), 0);
      await page.goto(page.url().replace('lang=en', 'lang=zh'));
      const zh = (await page.textContent('body')) ?? '';
      assert.match(zh, /时间线/);
      assert.match(zh, /已分类（故障码与范围）/);
      assert.deepEqual(dialogs, []);
    } finally {
      await browser.close();
      await fleet.close();
      await store.db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
