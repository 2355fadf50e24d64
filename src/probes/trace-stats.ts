/** @deprecated moved to src/analyze/trace-stats.ts; this re-export goes away in the next release. */
export * from '../analyze/trace-stats.js';
