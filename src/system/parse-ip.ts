/**
 * Older names of the ip -j parsers (kept for callers written against them); the parsers live
 * in ./parse/. New code imports from there.
 */
import type { RouteGetResult } from './types.js';
import { normalizePrefix as normalize } from './parse/addr.js';

export { parseLinks as parseIpAddr } from './parse/links.js';
export { parseRoutes as parseIpRoute } from './parse/routes.js';
export { parsePolicyRules as parseIpRule } from './parse/rules.js';
export { parseNeighbors as parseIpNeigh } from './parse/neigh.js';
export { parseRouteGet } from './parse/route-get.js';
export type RouteGet = RouteGetResult;

/** 'default' / host / prefix → normalized prefix; the input unchanged when it is not one. */
export function normalizePrefix(dst: string | null, family: 4 | 6): string {
  if (dst === null) return family === 4 ? '0.0.0.0/0' : '::/0';
  return normalize(dst, family) ?? dst;
}
