/** @deprecated moved to src/model/snapshot-schema.ts; this re-export goes away in the next release. */
export { tunnelStateSchema, tunnelsSchema } from '../model/snapshot-schema.js';
