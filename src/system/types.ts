/**
 * @deprecated The Snapshot types moved to src/model/snapshot.ts (vocabulary shared by collectors,
 * analyzers, rules and the engine). This re-export stays for one release so branches that import
 * it keep building; import from '../model/snapshot.js' instead.
 */
export * from '../model/snapshot.js';
