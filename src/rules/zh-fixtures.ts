/**
 * Test support for the "--lang zh speaks Chinese" tests: what counts as untranslated English prose
 * in a Chinese text.
 *
 * Definition (applied to one zh string: a title, an explanation, an evidence or fix summary, a layer
 * reason):
 *   1. Technical tokens are blanked out (replaced by a space), in this order:
 *      `code spans`; verbatim data between ASCII or Chinese double quotes ("…", “…”, 「…」);
 *      URLs; file paths (/etc/resolv.conf); command lines (a known tool name such as `ip`, `ss`,
 *      `wg`, `nft`, `sysctl` followed by its arguments, up to the next Chinese character or
 *      full-width punctuation); certificate fields (CN=…, O=…); IPv4/IPv6 addresses with an
 *      optional /prefix or :port, [v6]:port; options (--expect-ip, -ltnp); any token holding a
 *      digit, or '.', '_', '=', '@', '/', ':' or '-' between two of its characters (eth0, wg0,
 *      TLSv1.2, 0x1f, 5000, app.lab.test, tls-auth, admin-prohibited); UPPERCASE tokens of 2+
 *      letters (ECONNREFUSED, NXDOMAIN, TCP); camelCase and PascalCase identifiers (keyCompromise,
 *      ClientHello); and the words of TECH_WORDS below (protocol, tool and product names, units such
 *      as ms, s, KiB), case-insensitively.
 *   2. The remaining text is cut at every Chinese character and every full-width punctuation mark.
 *   3. A piece that still holds two or more ASCII words of three or more letters is English prose.
 *      Shorter words (to, is, of, a) neither count nor separate the longer ones, so "no route to
 *      host" is prose; "TCP 10.0.0.1:80：RST" and "getaddrinfo(app.lab.test)：EAI_AGAIN" are not.
 */

/** Words that stay as they are in Chinese text: protocol, tool and product names, units, record types. */
export const TECH_WORDS: ReadonlySet<string> = new Set(
  // protocols and packet vocabulary
  (
    'tcp udp icmp icmpv6 ip ipv4 ipv6 dns tls ssl http https sni mtu pmtu pmtud mss ttl rtt nat ecmp vpn arp ndp ' +
    'syn ack rst fin df ocsp alpn hsts dnssec dhcp slaac ra ' +
    // tools, daemons, products, kernel facilities
    'wireguard openvpn iptables ip6tables nftables nft ufw firewalld conntrack keepalive netdx ping traceroute tracepath mtr ' +
    'getaddrinfo nameserver nsswitch resolv systemd resolvectl networkmanager nmcli networkctl linux netfilter ' +
    'nginx curl openssl sysctl ethtool tcpdump chrony chronyd ntp ' +
    // record types, response codes, certificate and key vocabulary written as in the tools
    'aaaa cname ptr nxdomain servfail noerror ca san pem der sha256 spki hosts ' +
    // units
    'ms s kb kib mb mib gb gib'
  ).split(/\s+/),
);

/** Tool names that start a command line (the rest of the line up to Chinese text is the command). */
const TOOLS =
  'ip (?=route|rule|link|addr|neigh|xfrm|tunnel|-)|ss (?=-)|ping (?=[-\\d])|wg (?=show|set|syncconf|setconf)|wg-quick |iptables |ip6tables |nft |ufw |sysctl |dig |resolvectl |systemctl |nmcli |networkctl |openssl |curl |tracepath |traceroute |mtr |tcpdump |ethtool |netdx |chronyc |timedatectl |getent |certbot |sudo ';

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

const BLANK: RegExp[] = [
  /`[^`]*`/g, // code spans
  /"[^"]*"/g, // verbatim data in ASCII double quotes
  /“[^”]*”/g,
  /「[^」]*」/g,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s\u3000-\u303f\uff00-\uffef]+/gi, // URLs
  /(?<![\w.])\/[\w./@:*-]+/g, // file paths
  new RegExp(`(?<![\\w-])(?:${TOOLS})[^\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef]*`, 'g'), // command lines
  /\b[A-Z]{1,3}=[^;:()\u3000-\u303f\u3400-\u9fff\uff00-\uffef]*/g, // certificate names (CN=…, O=Example, Inc.) up to ; : ( ) or Chinese text
  /\[[0-9a-f:.]+\](?::\d+)?/gi, // [v6]:port
  /(?<![\w:])(?:[0-9a-f]{0,4}:){2,}[0-9a-f.]*(?:%\w+)?(?:\/\d+)?/gi, // IPv6
  /\b\d+\.\d+\.\d+\.\d+(?:\/\d+)?(?::\d+)?\b/g, // IPv4, CIDR, host:port
  /(?<![\w-])--?[a-z][\w-]*/gi, // options
  // identifiers: a token holding a digit, or '.', '_', '=', '@', '/', ':', '-' between its characters (eth0, TLSv1.2, tls-auth, 5000)
  /(?<![\w.:@=/-])[\w.:@=/-]*(?:\d|\w[._=@/:-]\w)[\w.:@=/-]*/g,
  /\b[A-Z][A-Z0-9]+\b/g, // UPPERCASE names and acronyms
  /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g, // camelCase identifiers (keyCompromise)
  /\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b/g, // PascalCase names (ClientHello, CertificateRequest)
];

/** The pieces of a zh text that are English prose (empty when there is none); see the definition above. */
export function englishProse(text: string): string[] {
  let s = text;
  for (const re of BLANK) s = s.replace(re, ' ');
  s = s.replace(/[A-Za-z]+/g, (w) => (TECH_WORDS.has(w.toLowerCase()) ? ' ' : w));
  const out: string[] = [];
  for (const piece of s.split(new RegExp(CJK.source, 'g'))) {
    const words = piece.match(/[A-Za-z]{3,}/g) ?? [];
    if (words.length >= 2) out.push(piece.trim());
  }
  return out;
}
