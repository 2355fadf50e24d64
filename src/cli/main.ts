/** Process entry of the netdx bin (the ES module bundle; a diagnosis may take the CommonJS fast path, see bin/netdx.js). */
import { exit, run } from './start.js';

exit(await run(process.argv.slice(2)));
