/**
 * Causal ranking (faults.md "Which finding is primary"):
 * 1. a finding that explains another outranks it (meta.explains, transitively);
 * 2. otherwise the lowest failing layer wins;
 * 3. warnings are never primary.
 */
import { layerIndex } from '../model/layer.js';
import type { Finding } from '../model/report.js';
import type { RuleMeta } from '../rules/types.js';
import { TLS_PRECEDENCE } from '../rules/tls-classify.js';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export interface Ranked {
  primary: Finding | null;
  findings: Finding[];
}

/**
 * Marks explained findings and orders all of them. `metaOf` gives a code's meta (explains list,
 * catalog position). Only error findings explain; an explained finding points at the highest-ranked
 * error finding that explains it.
 */
export function rankFindings(findings: readonly Finding[], metaOf: (code: string) => (RuleMeta & { order: number }) | undefined): Ranked {
  const errors = findings.filter((f) => f.severity === 'error');
  // Within the TLS layer, several certificate findings about one handshake: who, then which name, then when (tls-classify.ts).
  const tlsRank = (f: Finding): number => (f.layer === 'tls' && TLS_PRECEDENCE.includes(f.code) ? TLS_PRECEDENCE.indexOf(f.code) : -1);
  const order = (f: Finding): number => (tlsRank(f) >= 0 ? tlsRank(f) : 100 + (metaOf(f.code)?.order ?? 9999));
  const explains = (a: Finding, b: Finding): boolean => a !== b && (metaOf(a.code)?.explains ?? []).includes(b.code);

  // Base order: layer, then catalog order.
  const base = [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || layerIndex(a.layer) - layerIndex(b.layer) || order(a) - order(b));

  // Root causes: error findings that no other (unexplained-or-not) error finding explains,
  // guarding against cycles by falling back to layer order.
  const explainedBy = new Map<Finding, Finding>();
  for (const f of base) {
    const cause = base.find((c) => c.severity === 'error' && explains(c, f) && !explains(f, c));
    if (cause) explainedBy.set(f, cause);
  }
  // Follow chains to the root (A explains B explains C → C explained by A).
  const rootOf = (f: Finding): Finding => {
    let cur = f;
    const seen = new Set<Finding>();
    while (explainedBy.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      cur = explainedBy.get(cur)!;
    }
    return cur;
  };
  const out: Finding[] = base.map((f) => {
    const by = explainedBy.get(f);
    return by ? { ...f, explainedBy: rootOf(f).code } : { ...f };
  });
  const roots = out.filter((f) => f.severity === 'error' && !f.explainedBy);
  const rest = out.filter((f) => !(f.severity === 'error' && !f.explainedBy));
  const ranked = [...roots, ...rest];
  const primary = errors.length === 0 ? null : (ranked[0] ?? null);
  return { primary, findings: ranked };
}
