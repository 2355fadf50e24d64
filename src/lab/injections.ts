/** Fault injections shared by more than one scenario. */
import type { LabApi } from './scenario.js';
import { ADDR, SERVICES } from './topology.js';
import { nodeServer } from './lab.js';

/**
 * The seed's incident, 上海区域路由表错误指向香港某ISP: in the Shanghai region (client2's LAN) a
 * second default route through the HK ISP line's router wins by a lower metric, for IPv4 and
 * IPv6; the company gateway's default stays, with a higher metric. Beijing (client) is untouched.
 */
export async function shanghaiDefaultViaHk(lab: LabApi): Promise<void> {
  for (const [gw, hk, six] of [
    [ADDR.gw2Lan, ADDR.wrongLan, ''],
    [ADDR.gw2Lan6, ADDR.wrongLan6, '-6 '],
  ] as const) {
    await lab.ip('client2', `${six}route del default via ${gw}`, `${six}route add default via ${gw}`);
    await lab.ip('client2', `${six}route add default via ${gw} metric 100`, `${six}route del default via ${gw} metric 100`);
    await lab.ip('client2', `${six}route add default via ${hk} metric 50`, `${six}route del default via ${hk} metric 50`);
  }
}

/**
 * A PMTU blackhole between the Beijing gateway and the core: their link at MTU 1400, and both
 * routers drop the ICMP 'fragmentation needed' / ICMPv6 'packet too big' they would send.
 *
 * The filters go in first and the MTU last, so the undo (in reverse) restores the MTU before it
 * lifts the filters: otherwise, in between, the server's retransmissions of a stalled download
 * draw a frag-needed that gets through, the server caches a path MTU of 1400 for the client for
 * 10 minutes, and the next blackhole scenario finds no blackhole.
 */
export async function gwCoreMtuBlackhole(lab: LabApi, opts: { v6?: boolean } = { v6: true }): Promise<void> {
  for (const host of ['core', 'gw'] as const) {
    await lab.iptables(host, '-A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP');
    if (opts.v6 !== false) await lab.iptables(host, '-A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP', { v6: true });
  }
  await lab.ip('core', 'link set gw0 mtu 1400', 'link set gw0 mtu 1500');
  await lab.ip('gw', 'link set up0 mtu 1400', 'link set up0 mtu 1500');
}

/** The port of the listener that never accepts (on backlog.lab.test). */
export const STUCK_PORT = 7443;

/**
 * A server process that stopped calling accept(): a listener on backlog.lab.test:7443 with a
 * backlog of 1 (two places in its queue) that never accepts (perl, part of every Debian base
 * system), and an earlier client still waiting in that queue, as the clients of a hung server do.
 * The next connect completes into the last place; once the queue is full the kernel drops every
 * new SYN. (The waiting client is a socket of the same process, so stopping it ends both.)
 */
export async function stuckListener(lab: LabApi): Promise<void> {
  const addr = SERVICES.backlog.v4;
  const listen = `use Socket; socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!"; setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1); bind($s, sockaddr_in(${STUCK_PORT}, inet_aton("${addr}"))) or die "bind: $!"; listen($s, 1) or die "listen: $!";`;
  const waiting = `socket(my $c, PF_INET, SOCK_STREAM, 0) or die "socket: $!"; connect($c, sockaddr_in(${STUCK_PORT}, inet_aton("${addr}"))) or die "connect: $!";`;
  const script = `${listen} ${waiting} sleep 3600 while 1;`;
  await lab.background('srv', 'stuck-listener', ['perl', '-e', script], `ss -Htn state established 'dport = :${STUCK_PORT}' | grep -q .`);
}

/** The dns host's own address, where no dnsmasq listens: the hostile resolver's. */
export const HOSTILE_RESOLVER = '203.0.113.34';

/**
 * The client's only resolver is a hostile one (servers/hostile-dns.ts on the dns host): it
 * answers every query, never usefully — a compression-pointer loop, a CNAME loop, another
 * transaction id, random bytes, or a truncated reply followed by garbage over TCP.
 */
export async function hostileResolver(lab: LabApi, mode: 'ptr-loop' | 'cname-loop' | 'wrong-id' | 'garbage' | 'tc-garbage' | 'wrong-port'): Promise<void> {
  await lab.background('dns', 'hostile-dns', nodeServer('hostile-dns', [HOSTILE_RESOLVER, mode]), `ss -Hltn | grep -q '${HOSTILE_RESOLVER}:53 '`);
  lab.etc('client', 'resolv.conf', `# netdx lab: a hostile resolver (${mode})\nnameserver ${HOSTILE_RESOLVER}\n`);
}
