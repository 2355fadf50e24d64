/**
 * Fault codes of the catalog that have no lab scenario yet, and why. A test checks that every
 * code of the catalog has a scenario (as expected primary or as an expected warning) or an
 * entry here, and that no entry here has a scenario.
 */
export interface Planned {
  code: string;
  issue: number;
  why: string;
}

export const PLANNED: readonly Planned[] = [];
