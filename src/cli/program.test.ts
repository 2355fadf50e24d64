import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from './program.js';

const names = async (argv: string[]): Promise<string[]> => (await buildProgram(argv)).commands.map((c) => c.name());

test('only the named command is loaded; help, a typo or no command load them all, in the documented order', async () => {
  assert.deepEqual(await names(['diagnose', '127.0.0.1:1']), ['diagnose']);
  assert.deepEqual(await names(['route', 'explain', '--help']), ['firewall', 'route', 'analyze']);
  const all = ['diagnose', 'faults', 'collect', 'firewall', 'route', 'analyze', 'trace', 'lab'];
  assert.deepEqual(await names([]), all);
  assert.deepEqual(await names(['--help']), all);
  assert.deepEqual(await names(['diagnoze']), all, 'commander needs them all to suggest the right one');
  assert.deepEqual(await names(['--version']), [], '--version needs no command module');
});
