/** Latency percentiles (nearest rank) over plain arrays of milliseconds. Pure. */

export interface Percentiles {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const at = (p: number): number | null => (v.length === 0 ? null : v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!);
  return { n: v.length, p50: at(50), p90: at(90), p99: at(99), max: v.length ? v[v.length - 1]! : null };
}
