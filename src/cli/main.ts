/** Process entry of the netdx bin. */
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
