/**
 * Per-host files under /etc/netns/<namespace>/ that `ip netns exec` binds over /etc: the lab's
 * own resolvers in resolv.conf, the host's hosts file, and an nsswitch.conf that resolves names
 * with `files dns` only — so no lab host ever asks the machine's resolver (systemd-resolved,
 * mDNS, …) about anything.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDR, type Host } from './topology.js';

export const ETC_FILES = ['resolv.conf', 'hosts', 'nsswitch.conf'] as const;
export type EtcFile = (typeof ETC_FILES)[number];

export const etcDir = (ns: string): string => join('/etc/netns', ns);

export const RESOLV_CONF = `# netdx lab: the lab's own resolvers (never the machine's)\nnameserver ${ADDR.ns1}\nnameserver ${ADDR.ns2}\n`;

const NSSWITCH = `# netdx lab: names from the hosts file and the lab's DNS only
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
ethers: files
rpc: files
netgroup: files
`;

export function hostsFile(host: Host): string {
  return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${host}.lab.test ${host}\n`;
}

export function baselineEtc(host: Host, file: EtcFile): string {
  return file === 'resolv.conf' ? RESOLV_CONF : file === 'hosts' ? hostsFile(host) : NSSWITCH;
}

export function writeEtc(ns: string, host: Host): void {
  const dir = etcDir(ns);
  mkdirSync(dir, { recursive: true });
  for (const f of ETC_FILES) writeFileSync(join(dir, f), baselineEtc(host, f));
}

export function readEtc(ns: string, file: EtcFile): string {
  return readFileSync(join(etcDir(ns), file), 'utf8');
}

export function replaceEtc(ns: string, file: EtcFile, text: string): void {
  writeFileSync(join(etcDir(ns), file), text);
}

export function removeEtc(ns: string): void {
  rmSync(etcDir(ns), { recursive: true, force: true });
}
