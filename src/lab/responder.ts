/**
 * The netdx responder in the lab: started on the server host for the scenarios that
 * need both ends of the wire, on the server's own address, stopped when the scenario is reverted.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabApi } from './scenario.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'netdx.js');

export const RESPONDER_ADDR = '203.0.113.2';
export const RESPONDER_PORT = 4790;
export const RESPONDER = `${RESPONDER_ADDR}:${RESPONDER_PORT}`;
export const RESPONDER_TOKEN = 'lab-responder-token';
/** The diagnose options that use it. */
export const RESPONDER_ARGS = ['--responder', RESPONDER, '--token', RESPONDER_TOKEN];

export async function startLabResponder(lab: LabApi): Promise<void> {
  await lab.background('srv', 'responder', [process.execPath, BIN, 'responder', '--listen', RESPONDER, '--token', RESPONDER_TOKEN], `ss -Hltn 'sport = :${RESPONDER_PORT}' | grep -q .`);
}
