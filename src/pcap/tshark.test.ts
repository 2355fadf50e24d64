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

/** "a:p <-> b:q  f1 b1 bytes  f2 b2 bytes ..." → key → [frames a→b, bytes a→b, frames b→a, bytes b→a] (tshark's "<-" column is b→a). */
function tsharkConv(file: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of tshark(['-r', file, '-q', '-z', 'conv,tcp']).split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+)\s+bytes\s+(\d+)\s+(\d+)\s+bytes/.exec(line.replace(/(\d),(\d)/g, '$1$2').replace(/ (kB|MB)/g, ''));
    if (!m) continue;
    const key = [m[1]!, m[2]!].sort().join(' ');
    out.set(key, [Number(m[5]), Number(m[6]), Number(m[3]), Number(m[4])].map((x) => x) as number[]);
    out.set(`${key}|a`, [m[1] === [m[1]!, m[2]!].sort()[0] ? 0 : 1]);
  }
  return out;
}

function files(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'netdx-tshark-'));
  const out = readdirSync(FIXTURES)
    .filter((f) => /\.pcapng?$/.test(f))
    .map((f) => join(FIXTURES, f));
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
    const conv = tsharkConv(file);
    const ours = a.tcp.map((f) => {
      const ea = f.addr(0).includes(':') ? `[${f.addr(0)}]:${f.aport}` : `${f.addr(0)}:${f.aport}`;
      const eb = f.addr(1).includes(':') ? `[${f.addr(1)}]:${f.bport}` : `${f.addr(1)}:${f.bport}`;
      return { key: [ea, eb].sort().join(' '), aFirst: [ea, eb].sort()[0] === ea, f };
    });
    assert.equal(ours.length, [...conv.keys()].filter((k) => !k.endsWith('|a')).length, `${file}: number of conversations`);
    for (const { key, f } of ours) {
      const t = conv.get(key);
      assert.ok(t, `${file}: tshark has no conversation ${key}`);
      const ourTotal = [f.d[0].pkts + f.d[1].pkts, f.d[0].bytes + f.d[1].bytes];
      assert.deepEqual(ourTotal, [t[0]! + t[2]!, t[1]! + t[3]!], `${file} ${key}: total frames/bytes`);
      // Per direction: tshark's two columns are the two directions (in its own order).
      const ourDirs = [
        [f.d[0].pkts, f.d[0].bytes],
        [f.d[1].pkts, f.d[1].bytes],
      ].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
      const theirDirs = [
        [t[0]!, t[1]!],
        [t[2]!, t[3]!],
      ].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
      assert.deepEqual(ourDirs, theirDirs, `${file} ${key}: per-direction frames/bytes`);
    }
    const theirRetrans = tshark(['-r', file, '-Y', 'tcp.analysis.retransmission', '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).length;
    const ourRetrans = a.tcp.reduce((n, f) => n + f.d[0].retrans + f.d[1].retrans, 0);
    assert.equal(ourRetrans, theirRetrans, `${file}: retransmissions`);
  }
});
