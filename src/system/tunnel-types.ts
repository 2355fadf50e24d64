/** @deprecated moved to src/model/tunnel.ts; this re-export goes away in the next release. */
export * from '../model/tunnel.js';
