/** @deprecated The options moved to src/model/options.ts (rules read them); this re-export stays for one release. */
export * from '../model/options.js';
