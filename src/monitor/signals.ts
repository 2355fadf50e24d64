/** Resolves with the signal's name on SIGINT or SIGTERM: how a daemon (monitor, fleet server, agent) is asked to stop. */
export function untilStopped(): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
