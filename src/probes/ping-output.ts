/**
 * The output of iputils `ping -n` (and `ping -6`) → counts, RTT statistics, the ICMP errors
 * routers sent back ('From 198.51.100.1 icmp_seq=1 Destination Host Unreachable'), and why ping
 * could not run ('ping: connect: Network is unreachable'). Pure; any text gives a value.
 * Formats recorded from iputils 20221126 in test/fixtures/ping/.
 */
import type { IcmpError, ObservationData } from '../model/observation.js';

export type PingSummary = Omit<ObservationData['icmp.echo'], 'method'>;

/** ICMP error wordings of iputils (IPv4 then ICMPv6), with their type, code and our name. */
const ERROR_LINES: Array<[RegExp, number, number, string]> = [
  [/^Destination Net Unreachable/i, 3, 0, 'net-unreachable'],
  [/^Destination Host Unreachable/i, 3, 1, 'host-unreachable'],
  [/^Destination Protocol Unreachable/i, 3, 2, 'protocol-unreachable'],
  [/^Destination Port Unreachable/i, 3, 3, 'port-unreachable'],
  [/^Frag needed and DF set/i, 3, 4, 'frag-needed'],
  [/^Source Route Failed/i, 3, 5, 'source-route-failed'],
  [/^Destination Net Unknown/i, 3, 6, 'net-unknown'],
  [/^Destination Host Unknown/i, 3, 7, 'host-unknown'],
  [/^Destination Net Prohibited/i, 3, 9, 'net-prohibited'],
  [/^Destination Host Prohibited/i, 3, 10, 'host-prohibited'],
  [/^Packet filtered/i, 3, 13, 'admin-prohibited'],
  [/^Precedence Violation/i, 3, 14, 'precedence-violation'],
  [/^Precedence Cutoff/i, 3, 15, 'precedence-cutoff'],
  [/^Time to live exceeded/i, 11, 0, 'time-exceeded'],
  [/^Frag reassembly time exceeded/i, 11, 1, 'reassembly-time-exceeded'],
  [/^Destination unreachable: No route/i, 1, 0, 'no-route'],
  [/^Destination unreachable: Administratively prohibited/i, 1, 1, 'admin-prohibited'],
  [/^Destination unreachable: Beyond scope of source address/i, 1, 2, 'beyond-scope'],
  [/^Destination unreachable: Address unreachable/i, 1, 3, 'address-unreachable'],
  [/^Destination unreachable: Port unreachable/i, 1, 4, 'port-unreachable'],
  [/^Destination unreachable: Source address failed ingress\/egress policy/i, 1, 5, 'source-policy-failed'],
  [/^Destination unreachable: Reject route to destination/i, 1, 6, 'reject-route'],
  [/^Packet too big/i, 2, 0, 'packet-too-big'],
  [/^Time exceeded: Hop limit/i, 3, 0, 'time-exceeded'],
];

/** At most this many ICMP errors and reply RTTs are kept. */
export const MAX_ERRORS = 50;
const MAX_LINES = 10_000;
const MAX_LINE = 1_000;

const num = (s: string | undefined): number => {
  const v = Number(s);
  return Number.isFinite(v) && v >= 0 ? v : 0;
};
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

export function rttStats(xs: readonly number[]): NonNullable<PingSummary['rtt']> {
  const avg = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - avg) ** 2, 0) / xs.length);
  return { min: r3(Math.min(...xs)), avg: r3(avg), max: r3(Math.max(...xs)), stddev: r3(sd) };
}

/** iputils says this when connect() gets EACCES: a prohibit route or a local firewall, not a broadcast. */
function explain(msg: string): string {
  return /^Do you want to ping broadcast\?/.test(msg) ? 'connect: Permission denied (a prohibit route or the local firewall)' : msg;
}

export function parsePingOutput(text: string, address: string): PingSummary {
  const errors: IcmpError[] = [];
  const rtts: number[] = [];
  let sent: number | null = null;
  let received: number | null = null;
  let summaryRtt: PingSummary['rtt'] = null;
  let reason: string | undefined;
  for (const raw of text.split('\n').slice(0, MAX_LINES)) {
    const line = raw.slice(0, MAX_LINE).trim();
    const reply = /^\d+ bytes from [^ ]+?:? .*\btime[=<]([0-9.]+) ?ms/.exec(line);
    if (reply) {
      if (rtts.length < 10_000) rtts.push(num(reply[1]));
      continue;
    }
    const from = /^From ([0-9a-fA-F:.]+)(?: \([^)]*\))?:? icmp_seq=\d+ (.*)$/.exec(line);
    if (from) {
      const what = from[2]!;
      const known = ERROR_LINES.find(([re]) => re.test(what));
      if (known && errors.length < MAX_ERRORS) {
        const mtu = /mtu ?= ?(\d+)/i.exec(what);
        errors.push({ type: known[1], code: known[2], from: from[1]!, name: known[3], ...(mtu ? { mtu: num(mtu[1]) } : {}) });
      }
      continue;
    }
    const stats = /^(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(line);
    if (stats) {
      sent = num(stats[1]);
      received = num(stats[2]);
      continue;
    }
    const rtt = /^(?:rtt|round-trip) min\/avg\/max\/(?:mdev|stddev) = ([0-9.]+)\/([0-9.]+)\/([0-9.]+)\/([0-9.]+) ms/.exec(line);
    if (rtt) {
      summaryRtt = { min: num(rtt[1]), avg: num(rtt[2]), max: num(rtt[3]), stddev: num(rtt[4]) };
      continue;
    }
    const err = /^ping6?: (.+)$/.exec(line);
    if (err && !reason) reason = explain(err[1]!).slice(0, 200);
  }
  // Without the summary (ping killed), count what was seen.
  const s = sent ?? Math.max(rtts.length, errors.length);
  const rec = Math.min(received ?? rtts.length, s);
  const out: PingSummary = {
    address,
    sent: s,
    received: rec,
    lossPct: s > 0 ? Math.round(((s - rec) / s) * 1000) / 10 : 0,
    rtt: rec === 0 ? null : (summaryRtt ?? (rtts.length > 0 ? rttStats(rtts) : null)),
    errors,
  };
  if (reason) out.reason = reason;
  return out;
}
