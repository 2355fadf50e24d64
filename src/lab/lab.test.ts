/**
 * The fault lab as a test suite (needs root; skipped with the reason otherwise): builds the lab
 * once, runs every scenario that is not pending as its own test case and asserts the expected
 * primary code, checks that a run killed with SIGKILL is cleaned by the next, and that the root
 * namespace's links, addresses, routes, rules and firewall are identical before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Lab, preflight } from './lab.js';
import { runScenario } from './runner.js';
import { SCENARIOS } from './scenarios/index.js';
import { rootSnapshot, type RootSnapshot } from './root-snapshot.js';
import { cleanStale, labNamespaces, procStart, readServices, stateDir } from './state.js';
import { NETDX_BIN } from './runner.js';
import { HOSTS } from './topology.js';
import { sleep } from './exec.js';

async function unavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    await preflight();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return null;
}

const skip = await unavailable();
let before: RootSnapshot | null = null;
let lab: Lab | null = null;

test('the lab builds: 9 namespaces, every service listening', { skip: skip ?? false, timeout: 60_000 }, async () => {
  before = await rootSnapshot();
  lab = await Lab.up();
  const mine = (await labNamespaces()).filter((n) => n.runid === lab!.runid);
  assert.deepEqual(mine.map((n) => n.host).sort(), [...HOSTS].sort());
});

test('scenarios', { skip: skip ?? false }, async (t) => {
  assert.ok(lab, 'the lab is up');
  for (const s of SCENARIOS) {
    if (s.pendingIssue !== undefined) {
      await t.test(s.id, { skip: `pending: issue ${s.pendingIssue} implements ${s.expect}` }, () => {});
      continue;
    }
    await t.test(`${s.id} → ${s.expect}`, { timeout: 90_000 }, async () => {
      const r = await runScenario(lab!, s);
      assert.ok(r.pass, `${s.id}: ${r.why}`);
    });
  }
});

test('teardown removes the namespaces, /etc/netns entries, processes and state', { skip: skip ?? false, timeout: 30_000 }, async () => {
  assert.ok(lab);
  const services = readServices(lab.runid);
  assert.ok(services.length > 10);
  await lab.down();
  assert.deepEqual(
    (await labNamespaces()).filter((n) => n.runid === lab!.runid),
    [],
  );
  for (const h of HOSTS) assert.equal(existsSync(`/etc/netns/${lab.ns(h)}`), false, h);
  assert.equal(existsSync(stateDir(lab.runid)), false);
  for (const s of services) assert.notEqual(procStart(s.pid), s.start, `${s.name} (pid ${s.pid}) still runs`);
});

test('a lab run killed with SIGKILL is cleaned by the next one', { skip: skip ?? false, timeout: 60_000 }, async () => {
  // A real `netdx lab run` of a slow scenario, killed once its lab is up.
  const child = spawn(process.execPath, [NETDX_BIN, 'lab', 'run', '--only', 'tls-009-handshake-stall', 'dns-001-dns-blocked'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
  const runid = String(child.pid);
  const deadline = Date.now() + 30_000;
  while (!/lab: up in/.test(stderr) && Date.now() < deadline && child.exitCode === null) await sleep(50);
  assert.match(stderr, /lab: up in/, 'the child lab came up');
  const services = readServices(runid);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal((await labNamespaces()).filter((n) => n.runid === runid).length, HOSTS.length, 'leftovers are there after SIGKILL');
  const removed = await cleanStale();
  assert.ok(removed.includes(runid), `cleanStale removed ${removed.join(', ')}`);
  assert.deepEqual(
    (await labNamespaces()).filter((n) => n.runid === runid),
    [],
  );
  for (const h of HOSTS) assert.equal(existsSync(`/etc/netns/ndx-lab-${runid}-${h}`), false);
  assert.equal(existsSync(stateDir(runid)), false);
  for (const s of services) assert.notEqual(procStart(s.pid), s.start, `${s.name} (pid ${s.pid}) still runs`);
});

test("the root namespace's links, addresses, routes, rules and firewall are unchanged", { skip: skip ?? false, timeout: 30_000 }, async () => {
  assert.ok(before);
  assert.deepEqual(await rootSnapshot(), before);
});
