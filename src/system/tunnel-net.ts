/** @deprecated moved to src/model/prefix.ts; this re-export goes away in the next release. */
export * from '../model/prefix.js';
