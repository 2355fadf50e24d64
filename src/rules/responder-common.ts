/** Shared by the rules that read what a netdx responder saw (NET-011 … NET-014). */
import { formatHostPort } from '../model/target.js';
import { ofKind, type Observation, type ObservationData } from '../model/observation.js';

export type ResponderView = ObservationData['responder.view'];

/** The responder views that answered. */
export function responderViews(obs: readonly Observation[]): ResponderView[] {
  return ofKind(obs, 'responder.view')
    .map((o) => o.data)
    .filter((v) => v.outcome === 'ok');
}

export const hostPort = (p: { address: string; port: number }): string => formatHostPort(p.address, p.port);
