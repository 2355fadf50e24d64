/** @deprecated moved to src/model/prefix.ts; this re-export goes away in the next release. */
export { ipFamily, normalizePrefix, prefixCovers } from '../../model/prefix.js';
