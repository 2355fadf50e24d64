/**
 * Every lab report read in Chinese: the lab's diagnosis prints JSON (English texts with their
 * message ids); rendered as a Chinese reader sees it (`netdx diagnose --lang zh`: the renderer
 * speaks from the message ids and the catalog's reason templates), it must hold no English prose
 * (`englishProse`: technical tokens such as addresses, commands, certificate fields and kernel
 * error names excepted). The lab counts the reports that do, and shows their lines.
 */
import '../rules/index.js'; // the rules' messages join the catalog, so the renderer can speak them
import { ReportSchema } from '../model/report.js';
import { renderText } from '../report/text.js';
import { englishProse } from '../rules/zh-fixtures.js';

/** The lines of the report's zh rendering that hold English prose; null when the value is not a whole report. */
export function zhProseLines(report: unknown): string[] | null {
  const r = ReportSchema.safeParse(report);
  if (!r.success) return null;
  const text = renderText(r.data, { lang: 'zh', color: false });
  // A fix's command line (`$ sed -i …`) is a command, whatever words it holds.
  return text.split('\n').flatMap((line) => (!line.trimStart().startsWith('$ ') && englishProse(line).length > 0 ? [line.trim()] : []));
}
