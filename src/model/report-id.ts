/** The report contract's schema id, apart from the zod schema so that producing a report does not load zod (~95 ms). */
export const REPORT_SCHEMA_ID = 'netdx.report/v1';
