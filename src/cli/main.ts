/** Process entry of the netdx bin. */
import { main } from './program.js';

// `netdx faults | head`: a closed pipe ends the output quietly, not with a stack trace.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
