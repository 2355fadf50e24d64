/**
 * Test support: capture.sh's host A (test/fixtures/system/capture.sh) in namespaces of a test's own,
 * with every kind of route, policy rule, address and neighbour the parsers read, and the route
 * queries asked of it. Used by the netns tests that prove the in-process netlink readers against `ip`.
 */
import type { NetnsSet } from '../lab/netns.js';

/** [dst, options] as routeGet takes them; the same list capture.sh records with `ip route get`. */
export const QUERIES: Array<[string, { from?: string; mark?: string; iif?: string }]> = [
  ['100.100.1.1', {}],
  ['198.51.100.2', {}],
  ['100.64.3.4', {}],
  ['100.64.20.5', {}],
  ['198.51.100.1', {}],
  ['127.0.0.1', {}],
  ['198.51.100.255', {}],
  ['100.64.30.7', {}],
  ['100.64.40.9', {}],
  ['100.64.50.9', {}],
  ['100.64.60.9', {}],
  ['100.64.95.1', {}],
  ['100.64.3.4', { from: '198.51.100.1' }],
  ['100.64.3.4', { from: '198.51.100.10' }],
  ['100.100.1.1', { mark: '0x1' }],
  ['100.100.1.1', { mark: '255' }],
  ['198.51.100.1', { from: '203.0.113.2', iif: 'a1' }],
  ['198.51.100.2', { from: '203.0.113.2', iif: 'a1' }],
  ['198.51.100.2', { from: '203.0.113.2', iif: 'nosuchdev' }],
  ['100.64.10.1', {}],
  ['100.64.11.1', {}],
  ['100.64.12.1', {}],
  ['100.64.13.1', {}],
  ['100.64.98.1', {}],
  ['100.64.99.1', {}],
  ['100.64.96.1', {}],
  ['100.64.70.9', {}],
  ['2001:db8:44::1', {}],
  ['2001:db8:99::1', {}],
  ['2001:db8:5::1', {}],
  ['2001:db8:dead::1', {}],
  ['2001:db8:beef::1', {}],
  ['2001:db8:cafe::1', {}],
  ['2001:db8:66::1', {}],
  ['2001:db8:1::1', {}],
  ['2001:db8:7::1', {}],
  ['2001:db8:8::1', { from: '2001:db8:1::1' }],
  ['::ffff:198.51.100.2', {}],
  ['::1', {}],
  ['fe80::1', {}],
];

/** Builds capture.sh's host A (with a peer B for the veths) in namespaces of this test's own. */
export function buildRouteLab(set: NetnsSet): void {
  set.add('a', ['net.ipv4.ip_forward=0']);
  set.add('b');
  set.veth({ host: 'a', dev: 'a0', addrs: ['198.51.100.1/24', '198.51.100.10/24'] }, { host: 'b', dev: 'b0', addrs: ['198.51.100.2/24'] });
  set.veth({ host: 'a', dev: 'a1', addrs: ['203.0.113.1/24'] }, { host: 'b', dev: 'b1', addrs: ['203.0.113.2/24'] });
  set.veth({ host: 'a', dev: 'a2', addrs: ['100.64.200.1/24'] }, { host: 'b', dev: 'b2', addrs: [] });
  const a = (line: string): void => void set.exec('a', line.split(' '));
  // b2 stays down: a2 has no carrier, and its route is linkdown.
  set.exec('b', ['ip', 'link', 'set', 'b2', 'down']);
  for (const l of [
    'ip -6 addr add 2001:db8:1::1/64 dev a0 nodad',
    'ip -6 addr add 2001:db8:2::1/64 dev a1 nodad',
    'ip route add default via 198.51.100.2 dev a0 metric 100',
    'ip route add default via 203.0.113.2 dev a1 metric 200',
    'ip route add 100.64.0.0/16 proto static nexthop via 198.51.100.2 dev a0 weight 1 nexthop via 203.0.113.2 dev a1 weight 2',
    'ip route add 100.64.20.5 via 198.51.100.2 dev a0',
    'ip route add 100.64.30.0/24 via 198.51.100.2 dev a0 src 198.51.100.10',
    'ip route add 100.64.40.0/24 dev a0 proto static scope link',
    'ip route add 100.64.50.0/24 via 100.64.0.1 dev a0 onlink',
    'ip route add 100.64.60.0/24 via 198.51.100.2 dev a0 mtu lock 1300 advmss 1260',
    'ip route add 100.64.70.0/24 via 100.64.200.254 dev a2',
    'ip route add blackhole 100.64.10.0/24',
    'ip route add unreachable 100.64.11.0/24',
    'ip route add prohibit 100.64.12.0/24',
    'ip route add throw 100.64.13.0/24',
    'ip route add default via 203.0.113.2 dev a1 table 100',
    'ip route add 100.64.0.0/10 via 198.51.100.2 dev a0 table 100',
    'ip route add blackhole default table 101',
    'ip route add unreachable 100.64.90.0/24 table 102 metric 5',
    'ip route add 100.64.91.0/24 dev a1 table 102',
    'ip -6 route add default via 2001:db8:1::2 dev a0 metric 100',
    'ip -6 route add 2001:db8:99::/48 nexthop via 2001:db8:1::2 dev a0 nexthop via 2001:db8:2::2 dev a1',
    'ip -6 route add 2001:db8:5::1 via 2001:db8:1::2 dev a0',
    'ip -6 route add blackhole 2001:db8:dead::/48',
    'ip -6 route add unreachable 2001:db8:beef::/48',
    'ip -6 route add prohibit 2001:db8:cafe::/48',
    'ip -6 route add default via 2001:db8:2::2 dev a1 table 200',
    'ip -6 route add 2001:db8:7::/48 via 2001:db8:1::2 dev a0 pref high metric 50',
    'ip -6 route add 2001:db8:8::/48 from 2001:db8:1::/64 via 2001:db8:1::2 dev a0',
    'ip route add 100.64.95.0/24 via inet6 2001:db8:1::2 dev a0',
    'ip rule add fwmark 0x1/0xff table 100 pref 100',
    'ip rule add from 198.51.100.10 table 101 pref 200',
    'ip rule add iif a1 table 102 pref 300',
    'ip rule add to 100.64.98.0/24 prohibit pref 350',
    'ip rule add to 100.64.99.0/24 blackhole pref 400',
    'ip rule add to 100.64.96.0/24 unreachable pref 610',
    'ip -6 rule add to 2001:db8:66::/48 unreachable pref 610',
    // What only the snapshot reads: more rule selectors, addresses, link kinds, neighbours, route details.
    'ip rule add ipproto tcp dport 443 table 102 pref 250',
    'ip rule add not from 198.51.100.0/24 table 102 pref 500',
    'ip rule add oif a0 to 100.64.97.0/24 unreachable pref 600',
    'ip rule add table main suppress_prefixlength 0 pref 700',
    'ip rule add uidrange 1000-2000 table 102 pref 800',
    'ip rule add tos 0x10 table 102 pref 900',
    'ip rule add fwmark 0x2 goto 32766 pref 950',
    'ip rule add nop pref 960',
    'ip rule add sport 1000-2000 table 102 pref 970',
    'ip -6 rule add from 2001:db8:1::/64 table 200 pref 100',
    'ip -6 rule add fwmark 0x2 table 200 pref 200',
    'ip route add 100.64.80.0/24 via 198.51.100.2 tos 0x10',
    'ip route add 100.64.81.0/24 via 198.51.100.2 dev a0 proto 186 metric 7',
    'ip addr add 198.51.100.99/24 dev a0 valid_lft 3600 preferred_lft 1800',
    'ip addr add 192.0.2.1 peer 192.0.2.2 dev a1',
    'ip -6 addr add 2001:db8:2::99/64 dev a1 nodad valid_lft 3600 preferred_lft 1800',
    'ip link add br-fx type bridge',
    'ip link set br-fx up',
    'ip link add m0 type veth peer name m1',
    'ip link set m0 master br-fx up',
    'ip link add vx0 type vxlan id 5 dstport 4789 local 198.51.100.1',
    'ip link set vx0 up',
    'ip tuntap add tun9 mode tun',
    'ip neigh add 198.51.100.50 lladdr 02:00:00:00:00:50 dev a0 nud permanent',
    'ip -6 neigh add 2001:db8:1::50 lladdr 02:00:00:00:00:50 dev a0 nud permanent',
    'ip neigh add 198.51.100.51 lladdr 02:00:00:00:00:51 dev a0 nud stale',
  ])
    a(l);
}
