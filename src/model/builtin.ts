/**
 * Node built-ins loaded on first use. `node:crypto`, `node:tls` and `node:https` cost a CLI run
 * ~25–55 ms to load (measured on the 2-core CI machine), and a walk of a plain TCP target never
 * needs them: the modules that use them ask here, when they do.
 */
import { createRequire } from 'node:module';

const req = createRequire(import.meta.url);

const once = <T>(name: string): (() => T) => {
  let m: T | undefined;
  return () => (m ??= req(name) as T);
};

export const nodeCrypto = once<typeof import('node:crypto')>('node:crypto');
export const nodeTls = once<typeof import('node:tls')>('node:tls');
export const nodeHttps = once<typeof import('node:https')>('node:https');
