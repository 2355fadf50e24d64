/**
 * The untranslated-English heuristic of the zh tests: after removing technical tokens (code spans,
 * quoted strings, addresses, paths, commands, identifiers, numbers with units, certificate fields,
 * kernel error names), a run of three or more English words left in a zh text is prose someone
 * forgot to translate.
 */

/** Words that stay English in Chinese text: protocol and product names, units, tool names. */
const TECH = new Set(
  (
    'tcp udp icmp icmpv6 ip ipv4 ipv6 dns tls ssl http https sni mtu pmtu mss ttl rtt nat ecmp vpn arp ndp ' +
    'syn ack rst fin psh df ms s kb mb gb ok id ca cn san spki pem der sha256 ' +
    'wireguard openvpn nginx apache iptables nftables nft ip6tables ipset conntrack ping traceroute mtr ' +
    'netdx resolv conf nsswitch getaddrinfo systemd resolved networkmanager resolvectl dhcp ' +
    'a aaaa cname nxdomain servfail refused noerror linux tun tap wg alpn h2 hsts ' +
    'get post head ocsp ' +
    'keepalive tls-auth tls-crypt'
  ).split(/\s+/),
);

const STRIP: RegExp[] = [
  /`[^`]*`/g, // code spans
  /"[^"]*"/g, // quoted data ("Network is unreachable")
  /'[^']*'/g,
  /“[^”]*”/g,
  /「[^」]*」/g,
  /\$ .*$/gm, // a command line
  /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, // URLs
  /(?:^|\s|[（(])\/[\w./@:-]+/g, // paths
  /\[?[0-9a-f]*:[0-9a-f:.]+\]?(?:\/\d+)?(?::\d+)?/gi, // IPv6 (and host:port)
  /\b\d+\.\d+\.\d+\.\d+(?:\/\d+)?(?::\d+)?\b/g, // IPv4
  /\b(?:[A-Z]{1,3}=)[^,;，；)）]+/g, // certificate fields CN=…, O=…
  /\b\S*[=_@\d]\S*/g, // identifiers with digits, underscores, =, @ (ENETUNREACH stays by the next rule)
  /\b[A-Z][A-Z0-9_-]{1,}\b/g, // ERROR_NAMES, acronyms
  /--?[a-z][\w-]*/g, // options
  /\b[\w-]+\.[\w.-]+\b/g, // host names, file names, dotted identifiers
];

/** The runs of 3+ English words that remain after the technical tokens are removed. */
export function englishRuns(text: string): string[] {
  let s = text;
  for (const re of STRIP) s = s.replace(re, ' ');
  const out: string[] = [];
  // A run: words of letters separated only by spaces or light punctuation, no CJK in between.
  for (const m of s.matchAll(/[A-Za-z][A-Za-z'-]*(?:[ ,/]+[A-Za-z][A-Za-z'-]*)+/g)) {
    const words = m[0].split(/[ ,/]+/).filter((w) => w && !TECH.has(w.toLowerCase()));
    // count the longest stretch of consecutive non-technical words
    let run = 0;
    let best = 0;
    for (const w of m[0].split(/[ ,/]+/)) {
      run = w && !TECH.has(w.toLowerCase()) ? run + 1 : 0;
      best = Math.max(best, run);
    }
    if (best >= 3 && words.length >= 3) out.push(m[0].trim());
  }
  return out;
}

/** Asserts no untranslated English prose; `where` names the text for the failure message. */
export function assertNoEnglish(text: string, where: string): void {
  const runs = englishRuns(text);
  if (runs.length > 0) throw new Error(`${where}: untranslated English in zh: ${runs.map((r) => JSON.stringify(r)).join(', ')}\n  in: ${text}`);
}
