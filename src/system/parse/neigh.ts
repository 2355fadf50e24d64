/** `ip -j neigh` → Neighbor[] (both families; the family comes from the address). */
import { ParseError } from '../../model/errors.js';
import type { Neighbor } from '../types.js';
import { asArray, asObject, Fields, parseJson } from './json.js';
import { ipFamily } from './addr.js';

export function parseNeighbors(json: string): Neighbor[] {
  const input = 'ip -j neigh';
  return asArray(input, parseJson(input, json), 'the output').map((raw, i) => {
    const where = `neighbor #${i}`;
    const f = new Fields(input, asObject(input, raw, where), where);
    const address = f.str('dst');
    const family = ipFamily(address);
    if (family === null) throw new ParseError(input, `${where}: expected "dst" to be an IP address, got "${address.slice(0, 60)}"`);
    return { family, address, dev: f.str('dev'), lladdr: f.optStr('lladdr'), state: f.strArray('state'), router: f.flag('router') };
  });
}
