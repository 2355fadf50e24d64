/** @deprecated moved to src/analyze/tunnel-link.ts; this re-export goes away in the next release. */
export * from '../analyze/tunnel-link.js';
