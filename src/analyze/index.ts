/** Pure analyzers over a Snapshot: route explanation, firewall verdict with its rule trace. */
export { explainRoute, lookupRoute, prepareRoutes, type RouteExplanation, type RouteQuery, type RouteStep, type LookupResult } from './route-lookup.js';
export { firewallVerdict, checkFirewall, rulesetsOf, type FirewallFlow, type FirewallCheck } from './firewall/verdict.js';
export { parseIptablesSave } from './firewall/iptables.js';
export { parseNftRuleset } from './firewall/nft.js';
export { parseIpsetSave } from './firewall/ipset.js';
export type { TraceEntry } from './firewall/types.js';
export { droppingRule, parseCounters, couldMatch } from './counters.js';
