/** A responder view for the NET-011 … NET-014 tests: a clean path, overridable per field. */
import { observation, type Observation, type ObservationData } from '../model/observation.js';

type View = ObservationData['responder.view'];

export function view(over: Partial<View> = {}): Observation<'responder.view'> {
  return observation('responder.view', {
    responder: '203.0.113.2:4790',
    outcome: 'ok',
    local: { address: '100.64.1.10', port: 40000 },
    seen: { address: '100.64.1.10', port: 40000 },
    syn: { ttl: 61, hops: 3, mss: 1460, wscale: 7, sackOk: true, timestamps: true, window: 64240, options: ['mss', 'sack-ok', 'ts', 'nop', 'wscale'] },
    offeredMss: 1460,
    clock: { offsetMs: 2, rttMs: 1 },
    loss: { sent: 30, arrived: 30, answered: 30, forwardMs: 0.5, returnMs: 0.5 },
    returnMtu: { asked: [1000, 1400, 1500], arrived: [1000, 1400, 1500], largestOk: 1500, smallestLost: null, df: true, forwardLargest: 1500 },
    ...over,
  });
}
