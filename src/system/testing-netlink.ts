/** Test support: netlink messages and attributes built by hand, and the fuzz tests' acceptance (a value or a ParseError). */
import { ParseError } from '../model/errors.js';

export { attr, u32 } from './netlink.js';

/** One message: the 16-byte header (flags: NLM_F_MULTI by default, as a dump's) and the body. */
export const msg = (type: number, body: Buffer, flags = 2): Buffer => {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  return Buffer.concat([h, body]);
};

/** NLMSG_DONE. */
export const DONE = msg(3, Buffer.alloc(4));

/** A decoder's call on untrusted bytes: it returns, or throws a ParseError; anything else fails the test. */
export const valueOrParseError = (f: () => unknown): void => {
  try {
    f();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
};
