/**
 * The one way netdx reads a file the user named (--ca, --cert, --key, a snapshot for `analyze` and
 * `firewall check --snapshot`): only a regular file, only up to a size cap, and failing fast —
 * `--ca /dev/zero` or a FIFO must not hang or eat memory. One line per refusal:
 * cannot open → exit 3 (E_READ); not a regular file or too large → exit 64 (E_INPUT: not what
 * it claims to be). Stdin (`-`, snapshots only) is read up to the same cap.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { inputError, readError } from './errors.js';
import { catalogLookup } from './fault.js';
import type { Lang, Text } from './layer.js';

/**
 * The messages, en and zh. They live here, not in report/messages.ts, because the model imports
 * nothing of netdx (scripts/import-boundaries.mjs) and analyze/ reads snapshots with this helper.
 */
const MESSAGES = {
  cannotRead: { en: "{what} '{path}': cannot read ({code})", zh: "{what} '{path}'：无法读取（{code}）" },
  notRegular: { en: "{what} '{path}': not a regular file ({kind}); give a file", zh: "{what} '{path}'：不是普通文件（{kind}）；请指定一个文件" },
  tooLarge: { en: "{what} '{path}': too large ({size}; at most {max})", zh: "{what} '{path}'：文件过大（{size}；上限 {max}）" },
  'kind.directory': { en: 'a directory', zh: '目录' },
  'kind.fifo': { en: 'a FIFO', zh: '命名管道' },
  'kind.chardev': { en: 'a character device', zh: '字符设备' },
  'kind.blockdev': { en: 'a block device', zh: '块设备' },
  'kind.socket': { en: 'a socket', zh: '套接字' },
  'kind.other': { en: 'not a file', zh: '非文件' },
} satisfies Record<string, Text>;

const t = catalogLookup(MESSAGES);
/** An error's text in both languages: whoever prints it picks the reader's. */
const both = (key: keyof typeof MESSAGES, vars: (l: Lang) => Record<string, string>): { en: string; zh: string } => ({ en: t('en', key, vars('en')), zh: t('zh', key, vars('zh')) });

/** Caps: a CA bundle of a few MB is already suspicious (the whole Mozilla store is ~220 KB). */
export const MAX_BYTES = { pem: 4 * 1024 * 1024, snapshot: 64 * 1024 * 1024 } as const;

export interface InputFileOptions {
  /** How the file was named on the command line, e.g. '--ca' or 'snapshot'. */
  what: string;
  maxBytes: number;
}

const kindOf = (st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string =>
  st.isDirectory() ? 'directory' : st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'chardev' : st.isBlockDevice() ? 'blockdev' : st.isSocket() ? 'socket' : 'other';

/** Reads a regular file of at most maxBytes; throws a NetdxError (one line) otherwise. */
export function readInputFile(path: string, o: InputFileOptions): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block; O_NOCTTY: a terminal is never adopted.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw readError(
      both('cannotRead', () => ({ what: o.what, path, code })),
      err,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw inputError(both('notRegular', (l) => ({ what: o.what, path, kind: t(l, `kind.${kindOf(st)}` as 'kind.other') })));
    if (st.size > o.maxBytes) throw inputError(both('tooLarge', () => ({ what: o.what, path, size: mib(st.size), max: mib(o.maxBytes) })));
    // Read at most maxBytes + 1: a file that grows while read is still caught.
    const buf = Buffer.alloc(Math.min(o.maxBytes + 1, Math.max(st.size, 0) + 1));
    let n = 0;
    for (;;) {
      let got: number;
      try {
        got = readSync(fd, buf, n, buf.length - n, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw readError(
          both('cannotRead', () => ({ what: o.what, path, code })),
          err,
        );
      }
      if (got === 0) break;
      n += got;
      if (n > o.maxBytes) throw inputError(both('tooLarge', () => ({ what: o.what, path, size: `> ${mib(o.maxBytes)}`, max: mib(o.maxBytes) })));
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads a stream (stdin) up to maxBytes; more is refused with the same line as a file. */
export async function readInputStream(stream: AsyncIterable<unknown>, o: InputFileOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    n += b.length;
    if (n > o.maxBytes) throw inputError(both('tooLarge', () => ({ what: o.what, path: '-', size: `> ${mib(o.maxBytes)}`, max: mib(o.maxBytes) })));
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

const mib = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
