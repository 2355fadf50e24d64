/** Pure analyzers over a Snapshot. */
export { explainRoute, type RouteExplanation } from './route-lookup.js';
export { droppingRule, parseCounters, couldMatch } from './counters.js';
