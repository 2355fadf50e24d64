/**
 * The report in the reader's language: every text field that carries its message (`titleMsg`,
 * `explanationMsg`, `summaryMsg`, `reasonMsg`) is rendered from it; a field without one (old
 * code, a plain data string) stays as stored. The JSON report itself keeps English text + messages.
 */
import type { Lang } from '../model/layer.js';
import { speak } from '../model/message.js';
import type { Finding, Report } from '../model/report.js';
import './messages.js';

export function speakFinding(f: Finding, lang: Lang): Finding {
  return {
    ...f,
    title: speak(f.title, f.titleMsg, lang),
    explanation: speak(f.explanation, f.explanationMsg, lang),
    evidence: f.evidence.map((e) => ({ ...e, summary: speak(e.summary, e.summaryMsg, lang) })),
    fix: f.fix.map((x) => ({ ...x, summary: speak(x.summary, x.summaryMsg, lang) })),
  };
}

export function speakReport(r: Report, lang: Lang): Report {
  const findings = r.findings.map((f) => speakFinding(f, lang));
  const idx = r.primary ? r.findings.indexOf(r.primary) : -1;
  return {
    ...r,
    primary: r.primary ? (idx >= 0 ? findings[idx]! : speakFinding(r.primary, lang)) : null,
    findings,
    layers: r.layers.map((l) => (l.reason === undefined ? l : { ...l, reason: speak(l.reason, l.reasonMsg, lang) })),
  };
}
