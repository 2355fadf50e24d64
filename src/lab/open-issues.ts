/**
 * The issues that are still open. A scenario may be marked `pendingIssue: N` only while N is
 * listed here; closing an issue means removing it here, and the scenario check then fails until
 * its scenarios run for real.
 */
export const OPEN_ISSUES: ReadonlySet<number> = new Set<number>([12]);
