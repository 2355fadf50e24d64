/**
 * `ip -j neigh` → Neighbor[] (both families; the family comes from the address). ip omits "dev"
 * when the listing was filtered by device (`ip -j neigh show ADDR dev DEV`): pass that DEV.
 */
import { ParseError } from '../../model/errors.js';
import type { Neighbor } from '../../model/snapshot.js';
import { asArray, asObject, Fields, parseJson } from './json.js';
import { ipFamily } from '../../model/prefix.js';

export function parseNeighbors(json: string, filteredDev?: string): Neighbor[] {
  const input = 'ip -j neigh';
  return asArray(input, parseJson(input, json), 'the output').map((raw, i) => {
    const where = `neighbor #${i}`;
    const f = new Fields(input, asObject(input, raw, where), where);
    const address = f.str('dst');
    const family = ipFamily(address);
    if (family === null) throw new ParseError(input, `${where}: expected "dst" to be an IP address, got "${address.slice(0, 60)}"`);
    const dev = filteredDev !== undefined ? (f.optStr('dev') ?? filteredDev) : f.str('dev');
    return { family, address, dev, lladdr: f.optStr('lladdr'), state: f.strArray('state'), router: f.flag('router') };
  });
}
