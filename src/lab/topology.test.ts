/**
 * Safety of the lab's data (no root needed): every address the lab configures or names is in the
 * documentation/test ranges of lab.md, never 192.0.2.0/24; interface names fit the kernel's
 * limit; nothing in the build scripts names the root namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { ADDR, HOSTS, HOST_SPECS, LINKS, SERVICES, configScript, linkScript, restoreScript, sysctlScript } from './topology.js';
import { zoneRecords } from './services.js';

const ALLOWED = ['198.51.100.0/24', '203.0.113.0/24', '100.64.0.0/10', '2001:db8::/32'].map((c) => ipaddr.parseCIDR(c));
const LOOPBACK = ['127.0.0.0/8', '::1/128'].map((c) => ipaddr.parseCIDR(c));

function inside(addr: string, ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>): boolean {
  const a = ipaddr.parse(addr);
  return ranges.some(([net, bits]) => a.kind() === net.kind() && a.match(net, bits));
}
const labAddress = (a: string): boolean => inside(a, ALLOWED);

test('every configured address, route and service address is in the lab ranges', () => {
  const seen: string[] = [];
  for (const l of LINKS) for (const e of [l.a, l.b]) seen.push(...e.addrs.map((c) => c.split('/')[0]!));
  for (const h of HOSTS) {
    for (const addrs of Object.values(HOST_SPECS[h].bridges ?? {})) seen.push(...addrs.map((c) => c.split('/')[0]!));
    for (const r of HOST_SPECS[h].routes) for (const w of r.split(/\s+/)) if (ipaddr.isValid(w.split('/')[0]!)) seen.push(w.split('/')[0]!);
  }
  seen.push(...Object.values(ADDR));
  for (const s of Object.values(SERVICES)) seen.push(...Object.values(s));
  for (const r of zoneRecords()) seen.push(...r.addrs);
  assert.ok(seen.length > 50);
  for (const a of seen) assert.ok(labAddress(a), `${a} is outside the lab ranges`);
});

test('interface names fit IFNAMSIZ and are unique per host', () => {
  for (const h of HOSTS) {
    const devs = LINKS.flatMap((l) => [l.a, l.b])
      .filter((e) => e.host === h)
      .map((e) => e.dev);
    devs.push(...Object.keys(HOST_SPECS[h].bridges ?? {}));
    assert.equal(new Set(devs).size, devs.length, `${h}: duplicate interface`);
    for (const d of devs) assert.ok(d.length <= 15, `${h}: ${d} is longer than 15 characters`);
  }
});

test('the build scripts only work inside the namespace they run in (no netns switching, no root-namespace targets)', () => {
  for (const h of HOSTS) {
    const text = [...sysctlScript(h), ...configScript(h), ...restoreScript(h)].join('\n');
    assert.doesNotMatch(text, /netns|nsenter|-n\s+\S+\s+(link|addr|route)|192\.0\.2\./, h);
    // A veth is created here and its peer moved straight into another lab namespace.
    for (const line of linkScript(h, (x) => `ndx-lab-1-${x}`)) assert.match(line, /^ip link add \S+ type veth peer name \S+ netns ndx-lab-1-[a-z0-9]+$/);
  }
  // Forwarding only in routers.
  for (const h of HOSTS) assert.ok(sysctlScript(h).includes(`echo ${HOST_SPECS[h].router ? 1 : 0} > /proc/sys/net/ipv4/ip_forward`));
});

test('every IP literal in the lab sources is a lab or loopback address (scenarios included)', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const src = join(here, '..', '..', 'src', 'lab');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) files.push(p);
    }
  };
  walk(src);
  assert.ok(files.length > 20, `lab sources under ${src}`);
  const v4 = /(?<![\w.:])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\w.])/g;
  const v6 = /(?<![\w:])((?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}|(?:[0-9a-f]{1,4}:)+:[0-9a-f]{0,4}(?::[0-9a-f]{1,4})*)(?![\w:])/gi;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(v4)) {
      if (!ipaddr.IPv4.isValidFourPartDecimal(m[1]!)) continue;
      // Netmasks (OpenVPN's `route NET MASK`) are not addresses.
      const mask = ipaddr.IPv4.parse(m[1]!).prefixLengthFromSubnetMask() !== null;
      assert.ok(labAddress(m[1]!) || inside(m[1]!, LOOPBACK) || m[1] === '0.0.0.0' || mask, `${f}: ${m[1]} is not a lab address`);
    }
    for (const m of text.matchAll(v6)) {
      if (!ipaddr.IPv6.isValid(m[1]!)) continue;
      assert.ok(labAddress(m[1]!) || inside(m[1]!, LOOPBACK) || m[1] === '::', `${f}: ${m[1]} is not a lab address`);
    }
  }
});
