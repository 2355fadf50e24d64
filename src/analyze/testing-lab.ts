/**
 * Test helper (root only): two network namespaces joined by a veth pair, lab addresses only,
 * nothing in the root namespace. `a` is the client (a0), `b` the server (b0) with extra
 * addresses; `a` also has two in-namespace veth pairs (a1, a2) for routing tests. Static
 * neighbours and no router solicitations or DAD keep the kernel from sending packets of its own.
 *
 *   a: a0 198.51.100.1/24 198.51.100.10/24 2001:db8:1::1/64   a1 203.0.113.1/24 2001:db8:2::1/64   a2 100.64.0.1/16 2001:db8:3::1/64
 *   b: b0 198.51.100.2/24 203.0.113.5/32 203.0.113.77/32 100.64.200.9/32 2001:db8:1::2/64 2001:db8:5::5/128
 *   a routes 203.0.113.0/24 (more specific than a1's /24? no: 203.0.113.5 and .77 as /32 host routes) and 100.64.200.0/24 and 2001:db8:5::/64 via b.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectSnapshot, type SnapshotPart } from '../system/collect.js';
import { makeExec, type ExecFn } from '../system/exec.js';
import type { Snapshot } from '../model/snapshot.js';
import { netnsSet } from '../lab/netns.js';

/** The collectors of src/system, run inside a namespace. */
export function nsSnapshot(ns: string, parts: SnapshotPart[] = ['links', 'routes', 'rules', 'firewall', 'sysctls']): Promise<Snapshot> {
  const base = makeExec();
  const exec: ExecFn = (file, args, opts) => base('ip', ['netns', 'exec', ns, file, ...args], opts);
  return collectSnapshot({ exec }, parts);
}

export function labAvailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('iptables', ['-V'], { stdio: 'ignore' });
    execFileSync('nft', ['-v'], { stdio: 'ignore' });
  } catch {
    return 'iproute2, iptables or nft missing';
  }
  return null;
}

export interface Lab {
  ns(host: 'a' | 'b'): string;
  /** Runs a command inside a host; stdout. Throws with stderr on failure unless `allowFail`. */
  sh(host: 'a' | 'b', cmd: string, args: string[], input?: string, allowFail?: boolean): { stdout: string; stderr: string; code: number };
  /** Runs a shell script inside a host (one process for many commands); `files` are written first and passed as $1, $2 … */
  script(host: 'a' | 'b', script: string, files?: string[]): { stdout: string; stderr: string; code: number };
  /** Sends one packet from a (see Sender). */
  send(p: SendSpec): Promise<string>;
  destroy(): void;
  A4: string;
  A4b: string;
  B4: string[];
  A6: string;
  B6: string[];
}

export interface SendSpec {
  proto: 'tcp' | 'udp' | 'icmp';
  family: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/** The in-namespace sender: reads one JSON line per packet, answers 'ok …' when it has left. */
const SENDER = `
import dgram from 'node:dgram';
import net from 'node:net';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
const rl = readline.createInterface({ input: process.stdin });
const done = (m) => setTimeout(() => process.stdout.write(m + '\\n'), 15);
rl.on('line', (line) => {
  const p = JSON.parse(line);
  if (p.proto === 'udp') {
    const s = dgram.createSocket(p.family === 6 ? 'udp6' : 'udp4');
    s.on('error', (e) => { try { s.close(); } catch {} done('ok ' + e.code); });
    s.bind(p.sport, p.src, () => s.send(Buffer.from('x'), p.dport, p.dst, (e) => { try { s.close(); } catch {} done('ok ' + (e ? e.code : 'sent')); }));
  } else if (p.proto === 'tcp') {
    const c = net.connect({ host: p.dst, port: p.dport, localAddress: p.src, localPort: p.sport });
    c.on('error', () => {});
    setTimeout(() => { c.destroy(); done('ok syn'); }, 5);
  } else {
    // the echo request has left once ping exits (its answer, if any, within 0.2 s, does not matter);
    // not a fixed delay: a ping started on a loaded machine may not have sent anything after 60 ms
    const ch = spawn('ping', ['-n', '-c', '1', '-W', '0.2', '-I', p.src, p.dst], { stdio: 'ignore' });
    const t = setTimeout(() => ch.kill('SIGKILL'), 5000);
    ch.on('exit', (code) => { clearTimeout(t); done('ok ping ' + code); });
  }
});
`;

export function makeLab(tag: string): Lab {
  const set = netnsSet(`ndx-${tag}-${process.pid}`);
  const nsOf = (h: 'a' | 'b'): string => set.ns(h);
  const dir = mkdtempSync(join(tmpdir(), 'ndx-lab-'));
  const senderFile = join(dir, 'sender.mjs');
  writeFileSync(senderFile, SENDER);
  let sender: ChildProcess | null = null;
  const sh: Lab['sh'] = (h, cmd, args, input, allowFail = false) => {
    try {
      const stdout = execFileSync('ip', ['netns', 'exec', nsOf(h), cmd, ...args], { encoding: 'utf8', input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
      return { stdout, stderr: '', code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; status?: number };
      if (!allowFail) throw new Error(`${cmd} ${args.join(' ')} in ${h}: ${e.stderr ?? String(err)}`);
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.status ?? 1 };
    }
  };
  let fileNo = 0;
  const script: Lab['script'] = (h, text, files = []) => {
    const paths = files.map((content) => {
      const f = join(dir, `f${fileNo++}`);
      writeFileSync(f, content);
      return f;
    });
    try {
      const stdout = execFileSync('ip', ['netns', 'exec', nsOf(h), 'sh', '-c', text, 'sh', ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
      return { stdout, stderr: '', code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; status?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.status ?? 1 };
    } finally {
      for (const f of paths) rmSync(f, { force: true });
    }
  };
  const destroy = (): void => {
    if (sender && sender.exitCode === null) sender.kill('SIGKILL');
    set.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const quiet = [
      'net.ipv6.conf.all.router_solicitations=0',
      'net.ipv6.conf.default.router_solicitations=0',
      'net.ipv6.conf.all.accept_ra=0',
      'net.ipv6.conf.default.accept_ra=0',
      'net.ipv6.conf.default.accept_dad=0',
      'net.ipv6.conf.all.accept_dad=0',
      'net.ipv6.conf.all.mldv2_unsolicited_report_interval=1',
      'net.ipv6.conf.default.mldv2_unsolicited_report_interval=1',
      'net.ipv6.conf.all.mldv1_unsolicited_report_interval=1',
      'net.ipv6.conf.default.mldv1_unsolicited_report_interval=1',
    ];
    for (const h of ['a', 'b'] as const) set.add(h, quiet);
    sh('a', 'ip', ['link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0', 'netns', nsOf('b')]);
    sh('a', 'ip', ['link', 'add', 'a1', 'type', 'veth', 'peer', 'name', 'a1p']);
    sh('a', 'ip', ['link', 'add', 'a2', 'type', 'veth', 'peer', 'name', 'a2p']);
    const batchA = [
      'addr add 198.51.100.1/24 dev a0',
      'addr add 198.51.100.10/24 dev a0',
      'addr add 2001:db8:1::1/64 dev a0 nodad',
      'addr add 203.0.113.1/24 dev a1',
      'addr add 2001:db8:2::1/64 dev a1 nodad',
      'addr add 100.64.0.1/16 dev a2',
      'addr add 2001:db8:3::1/64 dev a2 nodad',
      'link set a0 up',
      'link set a1 up',
      'link set a1p up',
      'link set a2 up',
      'link set a2p up',
      'route add 203.0.113.5/32 via 198.51.100.2 dev a0',
      'route add 203.0.113.77/32 via 198.51.100.2 dev a0',
      'route add 100.64.200.0/24 via 198.51.100.2 dev a0',
      'route add 2001:db8:5::/64 via 2001:db8:1::2 dev a0',
    ];
    sh('a', 'ip', ['-batch', '-'], batchA.join('\n') + '\n');
    const batchB = [
      'addr add 198.51.100.2/24 dev b0',
      'addr add 203.0.113.5/32 dev b0',
      'addr add 203.0.113.77/32 dev b0',
      'addr add 100.64.200.9/32 dev b0',
      'addr add 2001:db8:1::2/64 dev b0 nodad',
      'addr add 2001:db8:5::5/128 dev b0 nodad',
      'link set b0 up',
    ];
    sh('b', 'ip', ['-batch', '-'], batchB.join('\n') + '\n');
    const mac = (h: 'a' | 'b', d: string): string => (JSON.parse(sh(h, 'ip', ['-j', 'link', 'show', d]).stdout) as Array<{ address: string }>)[0]!.address;
    const ma = mac('a', 'a0');
    const mb = mac('b', 'b0');
    sh('a', 'ip', ['-batch', '-'], [`neigh replace 198.51.100.2 lladdr ${mb} dev a0 nud permanent`, `neigh replace 2001:db8:1::2 lladdr ${mb} dev a0 nud permanent`].join('\n') + '\n');
    sh(
      'b',
      'ip',
      ['-batch', '-'],
      [
        `neigh replace 198.51.100.1 lladdr ${ma} dev b0 nud permanent`,
        `neigh replace 198.51.100.10 lladdr ${ma} dev b0 nud permanent`,
        `neigh replace 2001:db8:1::1 lladdr ${ma} dev b0 nud permanent`,
      ].join('\n') + '\n',
    );
    sh('b', 'ip', ['route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'b0']);
    sh('b', 'ip', ['-6', 'route', 'add', 'default', 'via', '2001:db8:1::1', 'dev', 'b0']);
  } catch (err) {
    destroy();
    throw err;
  }
  let queue: Promise<unknown> = Promise.resolve();
  let buf = '';
  const waiters: Array<(l: string) => void> = [];
  const send = (p: SendSpec): Promise<string> => {
    if (!sender) {
      sender = spawn('ip', ['netns', 'exec', nsOf('a'), process.execPath, senderFile], { stdio: ['pipe', 'pipe', 'inherit'] });
      sender.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          waiters.shift()?.(line);
        }
      });
    }
    const r = queue.then(
      () =>
        new Promise<string>((resolve) => {
          waiters.push(resolve);
          sender!.stdin!.write(JSON.stringify(p) + '\n');
        }),
    );
    queue = r;
    return r;
  };
  return {
    ns: nsOf,
    sh,
    script,
    send,
    destroy,
    A4: '198.51.100.1',
    A4b: '198.51.100.10',
    B4: ['198.51.100.2', '203.0.113.5', '203.0.113.77', '100.64.200.9'],
    A6: '2001:db8:1::1',
    B6: ['2001:db8:1::2', '2001:db8:5::5'],
  };
}
