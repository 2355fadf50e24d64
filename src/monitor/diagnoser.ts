/**
 * The engine as the monitor and the fleet agent use it: one snapshot of this machine shared by
 * every target's diagnosis (collected again when the kernel or /etc changes, or after a TTL), and
 * a `diagnose(target, options)` over it. Tests pass their own engine deps (no watchers then).
 */
import type { Lang } from '../model/layer.js';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';
import type { DiagnoseOptions } from '../model/options.js';
import { diagnose, type EngineDeps } from '../diagnose/engine.js';
import { SharedSnapshot } from './snapshot.js';

export interface Diagnoser {
  run(target: Target, options: DiagnoseOptions, lang: Lang): Promise<Report>;
  shared: SharedSnapshot;
  close(): void;
}

export async function makeDiagnoser(deps?: EngineDeps): Promise<Diagnoser> {
  const base: EngineDeps = deps ?? (await import('../diagnose/live.js')).liveDeps();
  const shared = new SharedSnapshot({ collect: () => base.snapshot(), watch: !deps });
  const withShared: EngineDeps = { ...base, snapshot: () => shared.get() };
  return {
    run: (target, options, lang) => diagnose(target, { ...options, lang }, withShared),
    shared,
    close: () => shared.close(),
  };
}
