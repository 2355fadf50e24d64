/** Process entry of the netdx bin. */
import { main } from './program.js';

// `netdx faults | head`: a closed pipe ends the output quietly, not with a stack trace.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await main(process.argv.slice(2));
// Exit once the output is flushed: an abandoned getaddrinfo (a dead resolver) must not hold the
// process for the system resolver's own 5 s × attempts after the report is printed.
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
