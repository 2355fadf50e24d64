/**
 * Benchmark: `netdx pcap` (full flow analysis and findings) against tcpdump -nr and tshark on one
 * generated capture, side by side in one run, with each tool's peak memory.
 *   node dist/bench/pcap.bench.js [--packets N] [--flows N] [--file PATH] [--keep] [--json]
 * The capture (default 1,200,000 packets, ~N/60 TCP connections with handshakes, data both ways,
 * some retransmissions and closes, plus DNS) is written with src/pcap/writer.ts to /tmp and removed
 * afterwards unless --keep. Goal: ≥ 5× `tshark -q -z conv,tcp` (≥ 1M packets/s), memory
 * independent of the file size (a second, 4× smaller file is read too: peak RSS should barely move).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CaptureWriter, frame, tcp, udp, type Station } from '../pcap/writer.js';
import { dnsMessage } from '../pcap/testing.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
}
const sarg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};

/** Writes a capture of about `packets` packets; returns the exact count. */
export function generate(path: string, packets: number): number {
  const fd = openSync(path, 'w');
  const w = new CaptureWriter({ format: 'pcap' });
  let n = 0;
  let at = 1_800_000_000_000_000;
  const payloads = [Buffer.alloc(1448, 0x61), Buffer.alloc(512, 0x62), Buffer.alloc(100, 0x63)];
  let flow = 0;
  const flush = (): void => {
    if (w.size > 8 << 20) {
      writeSync(fd, w.drain());
      w.size = 0;
    }
  };
  while (n < packets) {
    const c: Station = { ip: `100.64.${(flow >> 8) & 255}.${flow & 255}`, mac: '02:00:00:00:00:02' };
    const s: Station = { ip: `203.0.113.${10 + (flow % 20)}`, mac: '02:00:00:00:00:01' };
    const cport = 20000 + (flow % 40000);
    const sport = flow % 7 === 0 ? 80 : 443;
    let cs = 1000 + flow;
    let ss = 900000;
    const seg = (fromC: boolean, flags: number, pay: Buffer, opts: { mss?: number; wscale?: number; seq?: number } = {}): void => {
      const l4 = tcp(
        {
          sport: fromC ? cport : sport,
          dport: fromC ? sport : cport,
          seq: opts.seq ?? (fromC ? cs : ss),
          ack: flags & 16 ? (fromC ? ss : cs) : 0,
          flags,
          ...(opts.mss ? { mss: opts.mss, wscale: opts.wscale ?? 7 } : {}),
        },
        pay,
      );
      w.packet(at, frame(fromC ? c : s, fromC ? s : c, 6, l4));
      n++;
      at += 150; // ~6,700 packets a second: a 1.2M-packet capture spans 3 minutes
    };
    seg(true, 2, Buffer.alloc(0), { mss: 1460, seq: cs - 1 });
    seg(false, 18, Buffer.alloc(0), { mss: 1460, seq: ss - 1 });
    seg(true, 16, Buffer.alloc(0));
    seg(true, 24, payloads[2]!);
    cs += 100;
    for (let i = 0; i < 25; i++) {
      const p = payloads[i % 3 === 2 ? 1 : 0]!;
      seg(false, 24, p);
      if (i === 7 && flow % 5 === 0) seg(false, 24, p, { seq: ss }); // a retransmission now and then
      ss += p.length;
      seg(true, 16, Buffer.alloc(0));
    }
    seg(true, 17, Buffer.alloc(0));
    cs++;
    seg(false, 17, Buffer.alloc(0));
    ss++;
    seg(true, 16, Buffer.alloc(0));
    if (flow % 10 === 0) {
      w.packet(at, frame(c, { ip: '203.0.113.53', mac: '02:00:00:00:00:53' }, 17, udp(30000 + (flow % 1000), 53, dnsMessage(flow & 0xffff, `h${flow}.lab.test`, false, 0, []))));
      w.packet(at + 500, frame({ ip: '203.0.113.53', mac: '02:00:00:00:00:53' }, c, 17, udp(53, 30000 + (flow % 1000), dnsMessage(flow & 0xffff, `h${flow}.lab.test`, true, 0, ['203.0.113.10']))));
      n += 2;
    }
    flow++;
    flush();
  }
  writeSync(fd, w.drain());
  closeSync(fd);
  return n;
}

interface Run {
  tool: string;
  ms: number;
  pps: number;
  maxRssMb: number;
  ok: boolean;
  note?: string;
}

/** Runs a command under /usr/bin/time for wall time and peak RSS. */
function timed(tool: string, cmd: string, args: string[], packets: number): Run {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  const rss = Number((r.stderr ?? '').trim().split('\n').pop());
  return {
    tool,
    ms: Math.round(ms),
    pps: Math.round(packets / (ms / 1000)),
    maxRssMb: Math.round(rss / 1024),
    ok: r.status === 0 || r.status === 2 || r.status === 1,
    ...(r.error ? { note: String(r.error) } : {}),
  };
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function main(): void {
  const packets = arg('packets', 1_200_000);
  const file = sarg('file') ?? `/tmp/netdx-bench-${process.pid}.pcap`;
  const small = `/tmp/netdx-bench-${process.pid}-small.pcap`;
  const json = process.argv.includes('--json');
  const t0 = performance.now();
  const n = generate(file, packets);
  const nSmall = generate(small, Math.floor(packets / 4));
  const genMs = performance.now() - t0;
  const size = statSync(file).size;
  const netdx = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
  const runs: Run[] = [];
  if (have('tcpdump')) runs.push(timed('tcpdump -nr', 'tcpdump', ['-nr', file], n));
  if (have('tshark')) {
    runs.push(timed('tshark -r', 'tshark', ['-r', file], n));
    runs.push(timed('tshark -q -z conv,tcp', 'tshark', ['-r', file, '-q', '-z', 'conv,tcp'], n));
  }
  runs.push(timed('netdx pcap --json', process.execPath, [netdx, 'pcap', file, '--json'], n));
  const smallRun = timed('netdx pcap --json (¼ size)', process.execPath, [netdx, 'pcap', small, '--json'], nSmall);
  const conv = runs.find((r) => r.tool === 'tshark -q -z conv,tcp');
  const ours = runs.find((r) => r.tool === 'netdx pcap --json')!;
  const result = { packets: n, bytes: size, generateMs: Math.round(genMs), runs: [...runs, smallRun], speedupVsTsharkConv: conv ? Math.round((ours.pps / conv.pps) * 100) / 100 : null };
  if (!process.argv.includes('--keep')) {
    rmSync(file, { force: true });
    rmSync(small, { force: true });
  }
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  console.log(`capture: ${n} packets, ${(size / 1e6).toFixed(0)} MB (generated in ${(genMs / 1000).toFixed(1)} s)`);
  console.log('| tool | time | packets/s | peak RSS |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of result.runs) console.log(`| ${r.tool} | ${r.ms} ms | ${r.pps.toLocaleString('en')} | ${r.maxRssMb} MB |${r.ok ? '' : ' (failed)'}`);
  if (result.speedupVsTsharkConv !== null) console.log(`netdx pcap / tshark conv,tcp: ${result.speedupVsTsharkConv}×`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
