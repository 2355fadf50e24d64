/** `ss -H -ltnup`: listening TCP and bound UDP sockets, with the owning process when shown. */
import { ParseError } from '../../model/errors.js';
import type { ListeningSocket } from '../../model/snapshot.js';

const INPUT = 'ss -H -ltnup';

/** '0.0.0.0:22' / '[::]:22' / '*:22' / '127.0.0.53%lo:53' → address part and port. */
function splitLocal(s: string, line: number): { local: string; port: number } {
  const i = s.lastIndexOf(':');
  if (i <= 0) throw new ParseError(INPUT, `expected ADDRESS:PORT, got "${s.slice(0, 60)}"`, line);
  const portText = s.slice(i + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new ParseError(INPUT, `expected a port number, got "${portText.slice(0, 20)}"`, line);
  return { local: s.slice(0, i), port: Number(portText) };
}

export function parseListening(text: string): ListeningSocket[] {
  if (typeof text !== 'string') throw new ParseError(INPUT, 'expected text');
  const out: ListeningSocket[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const cols = raw.trim().split(/\s+/);
    if (cols.length < 6) throw new ParseError(INPUT, `expected at least 6 columns (Netid State Recv-Q Send-Q Local Peer), got ${cols.length}`, line);
    const [netid = '', , , , localCol = ''] = cols;
    if (netid !== 'tcp' && netid !== 'udp') return; // other socket kinds are not asked for
    const { local, port } = splitLocal(localCol, line);
    const rest = cols.slice(6).join(' ');
    const m = /users:\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(rest);
    const s: ListeningSocket = { proto: netid, local, port, process: m ? (m[1] ?? null) : null };
    if (m) s.pid = Number(m[2]);
    out.push(s);
  });
  return out;
}
