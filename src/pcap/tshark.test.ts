/**
 * Differential test against tshark (Debian `tshark`, installed by scripts/setup-debian.sh): on the
 * lab captures in fixtures/ and the synthesized fault captures, per-conversation packet and byte
 * counts equal `tshark -q -z conv,tcp`, and the retransmissions equal the packets tshark marks
 * tcp.analysis.retransmission. Skipped (with the reason) when tshark is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from './read.js';
import { Analyzer } from './flows.js';
import { CASES } from './testing.js';

const FIXTURES = fileURLToPath(new URL('../../src/pcap/fixtures/', import.meta.url));
const haveTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A byte count as tshark prints it: "862 bytes", "19 kB", "3 MB" → [value, unit scale]. */
type Size = { n: number; scale: number };
const size = (n: string, unit: string): Size => ({ n: Number(n), scale: unit === 'kB' ? 1000 : unit === 'MB' ? 1e6 : 1 });
/** Our exact byte count against tshark's (rounded for kB / MB). */
const sameBytes = (ours: number, t: Size): boolean => (t.scale === 1 ? ours === t.n : Math.abs(ours / t.scale - t.n) <= 1 || Math.abs(ours / (t.scale === 1000 ? 1024 : 1048576) - t.n) <= 1);

interface TConv {
  /** frames and bytes of each direction (tshark's "<-" and "->" columns), in its order. */
  dirs: Array<{ frames: number; bytes: Size }>;
}

/** `tshark -q -z conv,tcp` → key (both endpoints, sorted) → the two directions; and the retransmission count (io,stat). */
function tsharkConv(file: string): { conv: Map<string, TConv>; retrans: number } {
  const conv = new Map<string, TConv>();
  const out = tshark(['-r', file, '-q', '-z', 'conv,tcp', '-z', 'io,stat,0,tcp.analysis.retransmission']);
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+([\d,]+) (bytes|kB|MB)\s+(\d+)\s+([\d,]+) (bytes|kB|MB)/.exec(line);
    if (!m) continue;
    const key = [m[1]!, m[2]!].sort().join(' ');
    conv.set(key, {
      dirs: [
        { frames: Number(m[3]), bytes: size(m[4]!.replace(/,/g, ''), m[5]!) },
        { frames: Number(m[6]), bytes: size(m[7]!.replace(/,/g, ''), m[8]!) },
      ],
    });
  }
  // io,stat: "|  0.000 <> 12.345 |     2 |" — the frames that matched the filter.
  const io = /\|\s*[\d.]+\s*<>\s*(?:[\d.]+|Dur)\s*\|\s*(\d+)\s*\|/.exec(out);
  return { conv, retrans: io ? Number(io[1]) : -1 };
}

function files(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-tshark-'));
  const out = readdirSync(FIXTURES)
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .map((f) => join(FIXTURES, f));
  assert.ok(out.length >= 10, `the lab captures in ${FIXTURES}`);
  for (const [name, make] of Object.entries(CASES)) {
    const p = join(dir, `${name}.pcap`);
    writeFileSync(p, make());
    out.push(p);
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return out;
}

test('conversations and retransmissions agree with tshark', { skip: haveTshark ? false : 'tshark is not installed (scripts/setup-debian.sh installs it)' }, () => {
  for (const file of files()) {
    const a = new Analyzer();
    readCaptureFile(file, a.onPacket);
    const { conv, retrans } = tsharkConv(file);
    const ours = a.tcp.map((f) => {
      // tshark writes IPv6 endpoints without brackets: 2001:db8::1:443.
      const ea = `${f.addr(0)}:${f.aport}`;
      const eb = `${f.addr(1)}:${f.bport}`;
      return { key: [ea, eb].sort().join(' '), f };
    });
    assert.equal(ours.length, conv.size, `${file}: number of conversations`);
    for (const { key, f } of ours) {
      const t = conv.get(key);
      assert.ok(t, `${file}: tshark has no conversation ${key}`);
      // The two directions, in either order (tshark orders its columns its own way).
      const mine = [f.d[0], f.d[1]];
      const match = (i: number, j: number): boolean => mine[i]!.pkts === t.dirs[j]!.frames && sameBytes(mine[i]!.bytes, t.dirs[j]!.bytes);
      assert.ok(
        (match(0, 0) && match(1, 1)) || (match(0, 1) && match(1, 0)),
        `${file} ${key}: ours ${mine.map((d) => `${d.pkts}/${d.bytes}`).join(' ')} vs tshark ${t.dirs.map((d) => `${d.frames}/${d.bytes.n * d.bytes.scale}`).join(' ')}`,
      );
    }
    const ourRetrans = a.tcp.reduce((n, f) => n + f.d[0].retrans + f.d[1].retrans, 0);
    assert.equal(ourRetrans, retrans, `${file}: retransmissions`);
  }
});
