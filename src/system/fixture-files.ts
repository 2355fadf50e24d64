/** Test helper: reads a captured output from test/fixtures/system (see capture.sh there). */
import { readFileSync } from 'node:fs';

const DIR = new URL('../../test/fixtures/system/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** A recorded `ip -j route get` run: its arguments, exit code, stdout and stderr. */
export function routeGetFixture(name: string): { args: string[]; rc: number; stdout: string; stderr: string } {
  return JSON.parse(fixture(`lab-route-get-${name}.json`)) as { args: string[]; rc: number; stdout: string; stderr: string };
}
