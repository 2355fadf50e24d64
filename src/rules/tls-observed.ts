/**
 * What node:tls (node v20.20.2, bundled OpenSSL) really reported against real servers on 127.0.0.1:
 * openssl s_server 3.0 with certificates made for the purpose (a root, an intermediate, leaves that
 * are expired, not yet valid, for another name, self-signed, issued straight by the root), and plain
 * TCP servers that answer with SSH/HTTP/SMTP banners, binary greetings, silence, a close or a reset.
 * Recorded 2026-11-26 with rejectUnauthorized:false and ca = the lab root (unless noted), the
 * peer certificate read in the 'error' handler, and 300 ms of reading after secureConnect (TLS 1.3
 * client-certificate alerts arrive after it). `rejectUnauthorized` is what a strict connect said.
 * selfSigned is subject === issuer and the signature verifies with its own key (X509Certificate.checkIssued
 * says false for a self-signed leaf whose keyUsage lacks keyCertSign).
 * Generated data: do not edit by hand (the generator and the servers are described in the report of
 * issue 4; re-record rather than adjust). tls-classify.test.ts replays every case.
 */
import type { CertInfo } from '../model/observation.js';

export interface NodeTlsResult {
  /** 'secureConnect' was emitted (in TLS 1.3 an alert may still follow). */
  secure: boolean;
  protocol?: string;
  /** socket.authorizationError after secureConnect. */
  authorizationError: string | null;
  /** error.code of the 'error' event, if any. */
  errorCode: string | null;
  reason?: string;
  /** tls.checkServerIdentity(servername, cert) on the presented certificate. */
  checkServerIdentity?: string;
  /** No outcome within the budget. */
  timeout?: true;
  rejectUnauthorized?: string;
}

export interface ObservedCase {
  name: string;
  node: NodeTlsResult;
  /** The certificates the client saw (leaf first), keys of OBSERVED_CERTS; empty when none reached it. */
  chain: string[];
  /** The --ca bundle held this certificate (else the lab root, or the system store). */
  caCert?: string;
  /** A client certificate was offered. */
  clientCert?: boolean;
  min?: string;
  max?: string;
  /** The first bytes the server sent (printable part). */
  banner?: string;
  /** The code netdx must give for this handshake (null: none). */
  expect: string | null;
}

/** When the cases were recorded: tests judge them at this instant (the lab CA was minted minutes before). */
export const RECORDED_AT = new Date('2026-11-26T18:06:00.000Z');

export const OBSERVED_CERTS: Record<string, CertInfo> = {
  "root": {
    "subject": "O=NDX Lab, CN=NDX Lab Root CA",
    "commonName": "NDX Lab Root CA",
    "issuer": "O=NDX Lab, CN=NDX Lab Root CA",
    "sans": [],
    "notBefore": "2026-11-26T17:58:36.000Z",
    "notAfter": "2036-11-23T17:58:36.000Z",
    "serial": "7D99105E4DEBA6C9C30D8274FACFD43519B241AE",
    "fingerprint256": "88:32:87:79:9C:B1:E5:0E:88:3D:AC:39:88:BC:67:26:C9:BD:4F:E6:48:9D:6E:DA:C4:8E:5D:C6:27:56:9C:B7",
    "spki256": "Zu4XUC1TLfiLzfsh+NgeNA9DZh4xKZO7cLIpBxMcaVo=",
    "selfSigned": true,
    "isCA": true,
    "bytes": 664
  },
  "inter": {
    "subject": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "commonName": "NDX Lab Issuing CA 1",
    "issuer": "O=NDX Lab, CN=NDX Lab Root CA",
    "sans": [],
    "notBefore": "2026-11-26T17:58:36.000Z",
    "notAfter": "2031-11-25T17:58:36.000Z",
    "serial": "1000",
    "fingerprint256": "B4:0C:73:49:40:87:E7:96:F0:66:05:0E:32:F7:CE:AA:12:55:6A:B0:FB:CB:6A:F8:E9:06:82:99:85:DE:63:E8",
    "spki256": "7rw3zVCFH031Dp1334azGE4bA/7/2GMXhObqSKGyapU=",
    "selfSigned": false,
    "isCA": true,
    "bytes": 2238
  },
  "good": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2025-01-01T00:00:00.000Z",
    "notAfter": "2035-01-01T00:00:00.000Z",
    "serial": "1001",
    "fingerprint256": "A0:40:7C:F2:F7:65:54:40:5E:22:F0:58:D1:00:98:E2:62:87:4B:45:58:CF:1E:46:D0:45:51:80:8E:73:76:34",
    "spki256": "x/NDmvSTx2VgP0qFxHaUrt5zWB+OErgwx+6P73FjZQI=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2493
  },
  "expired": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2024-01-01T00:00:00.000Z",
    "notAfter": "2025-01-01T00:00:00.000Z",
    "serial": "1002",
    "fingerprint256": "08:D4:23:9A:A5:C7:DF:3A:53:A7:21:5C:15:D1:6D:4E:9B:5C:0E:F1:65:D7:53:27:64:72:66:F0:18:6B:F2:75",
    "spki256": "HFUL/jJIAPNzCteKcLcm4kWMtH0kxAy45r62OVC+itg=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2493
  },
  "future": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2040-01-01T00:00:00.000Z",
    "notAfter": "2041-01-01T00:00:00.000Z",
    "serial": "1003",
    "fingerprint256": "47:0E:75:17:5F:D1:88:C0:0C:92:91:1C:06:F1:1D:77:EF:97:8F:81:B9:91:78:E7:43:E7:AA:B9:3E:C0:76:11",
    "spki256": "xfOFjIKh5gzbgq635G6eYjFjwXaUQzd4AxDIcmbuYLM=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2487
  },
  "wrongname": {
    "subject": "CN=www.other.test",
    "commonName": "www.other.test",
    "issuer": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "sans": [
      "DNS:www.other.test",
      "DNS:other.test"
    ],
    "notBefore": "2025-01-01T00:00:00.000Z",
    "notAfter": "2035-01-01T00:00:00.000Z",
    "serial": "1004",
    "fingerprint256": "53:DA:62:C6:2C:02:15:5B:7D:57:9D:21:C8:38:4B:16:4C:38:C5:D6:A9:8E:68:70:0F:22:A8:6B:14:0E:BA:52",
    "spki256": "Aknva3O++KRXBaRBfwnGS5y+pLzgTe1Gjyz8tQNVZsI=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2515
  },
  "wrongexp": {
    "subject": "CN=www.other.test",
    "commonName": "www.other.test",
    "issuer": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "sans": [
      "DNS:www.other.test"
    ],
    "notBefore": "2024-01-01T00:00:00.000Z",
    "notAfter": "2025-01-01T00:00:00.000Z",
    "serial": "1005",
    "fingerprint256": "B3:F6:DE:A1:53:E2:94:EF:02:BC:E3:93:1D:42:EB:07:8C:D4:CF:92:70:5B:0E:68:D8:EF:CE:E2:5B:64:45:0C",
    "spki256": "sdefZHAQ7RHdsNQIpNUqfiuA3Q0oH4KXovhDbwBqEps=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2482
  },
  "soon": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=NDX Lab Issuing CA 1, O=NDX Lab",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2025-01-01T00:00:00.000Z",
    "notAfter": "2026-12-06T17:58:36.000Z",
    "serial": "1006",
    "fingerprint256": "DC:57:96:E3:FD:12:01:B1:D9:6E:7A:5B:11:67:39:DB:6B:1B:31:E5:DF:0B:BA:E0:20:89:87:C5:10:17:22:14",
    "spki256": "azh4fevFo0tjxnDKEJr1fqrmJ7jrFEs7tlVmDzIMUkM=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2490
  },
  "direct": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "O=NDX Lab, CN=NDX Lab Root CA",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2026-11-26T17:58:36.000Z",
    "notAfter": "2027-11-26T17:58:36.000Z",
    "serial": "1007",
    "fingerprint256": "2C:D3:CA:2F:7F:9B:2B:70:79:1F:41:D1:1A:42:C4:E3:C4:53:7A:BC:A3:5B:F1:52:3F:49:B7:D6:E1:01:B9:C6",
    "spki256": "epWFJzO6wkqLqOlWiCA7WeuIDNiicKLpji5SSrg5LoU=",
    "selfSigned": false,
    "isCA": false,
    "bytes": 2474
  },
  "self": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=localhost",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2026-11-26T17:58:36.000Z",
    "notAfter": "2027-11-26T17:58:36.000Z",
    "serial": "7417E4FC7163CC70AF2891FD279E5DC884FA80EB",
    "fingerprint256": "8E:6D:FC:5E:7E:4D:DC:20:AD:4C:10:5C:19:55:E8:A6:6C:E4:02:49:ED:09:B7:9B:B5:42:52:35:D9:38:00:16",
    "spki256": "FpeWbFSRtiST4UYPiFTD96Hp5kV6Rzd3H4d42/3S7L4=",
    "selfSigned": true,
    "isCA": true,
    "bytes": 615
  },
  "selfexp": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=localhost",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2024-01-01T00:00:00.000Z",
    "notAfter": "2025-01-01T00:00:00.000Z",
    "serial": "1008",
    "fingerprint256": "33:AD:B3:53:1B:74:3A:89:AB:8F:AE:AB:C3:08:90:1B:E3:35:0A:15:C9:21:DE:5E:22:E2:71:52:01:D5:CF:1F",
    "spki256": "cbqRu5zBz9LDSj7oDi6fMULfqZqo63uwJdprqXiPqpo=",
    "selfSigned": true,
    "isCA": false,
    "bytes": 2264
  },
  "rsa": {
    "subject": "CN=localhost",
    "commonName": "localhost",
    "issuer": "CN=localhost",
    "sans": [
      "DNS:localhost",
      "IP Address:127.0.0.1"
    ],
    "notBefore": "2026-11-26T17:58:37.000Z",
    "notAfter": "2027-11-26T17:58:37.000Z",
    "serial": "0EA41ECF4DBF37CD570377A25A5D579747CAADA3",
    "fingerprint256": "29:73:56:05:06:16:98:ED:28:8F:39:E3:0E:AF:6F:70:4B:D9:CD:5F:6F:DB:FA:81:C1:3B:CB:FE:B9:8B:89:DB",
    "spki256": "8eDvbN4QFiMvxLqI8lVJgb02Soy1moTZBw4XyG4pir8=",
    "selfSigned": true,
    "isCA": true,
    "bytes": 1151
  }
};

export const OBSERVED_CASES: ObservedCase[] = [
  {
    "name": "good",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": null,
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "ok"
    },
    "chain": [
      "good",
      "inter"
    ],
    "expect": null
  },
  {
    "name": "expired",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "CERT_HAS_EXPIRED",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "CERT_HAS_EXPIRED"
    },
    "chain": [
      "expired",
      "inter"
    ],
    "expect": "TLS-001"
  },
  {
    "name": "not-yet-valid",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "CERT_NOT_YET_VALID",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "CERT_NOT_YET_VALID"
    },
    "chain": [
      "future",
      "inter"
    ],
    "expect": "TLS-002"
  },
  {
    "name": "wrong-name",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "ERR_TLS_CERT_ALTNAME_INVALID",
      "errorCode": null,
      "checkServerIdentity": "ERR_TLS_CERT_ALTNAME_INVALID",
      "rejectUnauthorized": "ERR_TLS_CERT_ALTNAME_INVALID"
    },
    "chain": [
      "wrongname",
      "inter"
    ],
    "expect": "TLS-003"
  },
  {
    "name": "wrong-name+expired",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "CERT_HAS_EXPIRED",
      "errorCode": null,
      "checkServerIdentity": "ERR_TLS_CERT_ALTNAME_INVALID",
      "rejectUnauthorized": "CERT_HAS_EXPIRED"
    },
    "chain": [
      "wrongexp",
      "inter"
    ],
    "expect": "TLS-003"
  },
  {
    "name": "self-signed",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "DEPTH_ZERO_SELF_SIGNED_CERT",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "DEPTH_ZERO_SELF_SIGNED_CERT"
    },
    "chain": [
      "self"
    ],
    "expect": "TLS-004"
  },
  {
    "name": "self-signed+expired",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "CERT_HAS_EXPIRED",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "CERT_HAS_EXPIRED"
    },
    "chain": [
      "selfexp"
    ],
    "expect": "TLS-004"
  },
  {
    "name": "self-signed+expired (trusted via ca)",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "CERT_HAS_EXPIRED",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "CERT_HAS_EXPIRED"
    },
    "chain": [
      "selfexp"
    ],
    "caCert": "selfexp",
    "expect": "TLS-001"
  },
  {
    "name": "leaf-only (missing intermediate)",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
    },
    "chain": [
      "good"
    ],
    "expect": "TLS-005"
  },
  {
    "name": "leaf-only expired (missing intermediate)",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "CERT_HAS_EXPIRED",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "CERT_HAS_EXPIRED"
    },
    "chain": [
      "expired"
    ],
    "expect": "TLS-001"
  },
  {
    "name": "leaf+inter, root unknown",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
    },
    "chain": [
      "good",
      "inter"
    ],
    "expect": "TLS-004"
  },
  {
    "name": "leaf+inter+root, root unknown",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "SELF_SIGNED_CERT_IN_CHAIN",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "SELF_SIGNED_CERT_IN_CHAIN"
    },
    "chain": [
      "good",
      "inter",
      "root"
    ],
    "expect": "TLS-004"
  },
  {
    "name": "root-issued leaf, root unknown",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
    },
    "chain": [
      "direct"
    ],
    "expect": "TLS-004"
  },
  {
    "name": "leaf+inter, system store",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
    },
    "chain": [
      "good",
      "inter"
    ],
    "expect": "TLS-004"
  },
  {
    "name": "expiring soon",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": null,
      "errorCode": null,
      "checkServerIdentity": "ok",
      "rejectUnauthorized": "ok"
    },
    "chain": [
      "soon",
      "inter"
    ],
    "expect": null
  },
  {
    "name": "server TLSv1.0 only",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      "reason": "tlsv1 alert protocol version",
      "rejectUnauthorized": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"
    },
    "chain": [],
    "expect": "TLS-006"
  },
  {
    "name": "server TLSv1.3 only, client max 1.2",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      "reason": "tlsv1 alert protocol version",
      "rejectUnauthorized": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"
    },
    "chain": [],
    "max": "TLSv1.2",
    "expect": "TLS-006"
  },
  {
    "name": "server TLSv1.2 only, client min 1.3",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      "reason": "tlsv1 alert protocol version",
      "rejectUnauthorized": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"
    },
    "chain": [],
    "min": "TLSv1.3",
    "expect": "TLS-006"
  },
  {
    "name": "no shared cipher (1.2)",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
      "reason": "sslv3 alert handshake failure",
      "rejectUnauthorized": "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE"
    },
    "chain": [],
    "max": "TLSv1.2",
    "expect": "TLS-006"
  },
  {
    "name": "no shared tls1.3 suite",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
      "reason": "sslv3 alert handshake failure"
    },
    "chain": [],
    "expect": "TLS-006"
  },
  {
    "name": "server tls1.0 only, client min TLSv1",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED",
      "reason": "legacy sigalg disallowed or unsupported"
    },
    "chain": [
      "rsa"
    ],
    "min": "TLSv1",
    "expect": "TLS-006"
  },
  {
    "name": "server tls1.0/1.1 lenient (min TLSv1 max 1.1)",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      "reason": "tlsv1 alert protocol version"
    },
    "chain": [],
    "expect": "TLS-006"
  },
  {
    "name": "client min > max",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
      "reason": "no protocols available"
    },
    "chain": [],
    "min": "TLSv1.3",
    "max": "TLSv1.2",
    "expect": "TLS-006"
  },
  {
    "name": "ServerHello SSLv3",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_UNSUPPORTED_PROTOCOL",
      "reason": "unsupported protocol"
    },
    "chain": [],
    "expect": "TLS-006"
  },
  {
    "name": "ServerHello TLS1.0 to default client",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_UNSUPPORTED_PROTOCOL",
      "reason": "unsupported protocol"
    },
    "chain": [],
    "expect": "TLS-006"
  },
  {
    "name": "alert record protocol_version",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      "reason": "tlsv1 alert protocol version"
    },
    "chain": [],
    "expect": "TLS-006"
  },
  {
    "name": "mtls 1.3 none",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
      "reason": "tlsv13 alert certificate required"
    },
    "chain": [
      "good",
      "inter"
    ],
    "expect": "TLS-007"
  },
  {
    "name": "mtls 1.2 none",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
      "reason": "sslv3 alert handshake failure"
    },
    "chain": [
      "good",
      "inter"
    ],
    "expect": "TLS-007"
  },
  {
    "name": "mtls 1.3 rogue",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
      "reason": "tlsv1 alert unknown ca"
    },
    "chain": [
      "good",
      "inter"
    ],
    "clientCert": true,
    "expect": "TLS-007"
  },
  {
    "name": "mtls 1.2 rogue",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
      "reason": "tlsv1 alert unknown ca"
    },
    "chain": [
      "good",
      "inter"
    ],
    "clientCert": true,
    "expect": "TLS-007"
  },
  {
    "name": "mtls 1.3 expired client cert (from right CA)",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": null,
      "errorCode": "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED",
      "reason": "sslv3 alert certificate expired"
    },
    "chain": [
      "good",
      "inter"
    ],
    "clientCert": true,
    "expect": "TLS-007"
  },
  {
    "name": "mtls 1.3 good",
    "node": {
      "secure": true,
      "protocol": "TLSv1.3",
      "authorizationError": null,
      "errorCode": null
    },
    "chain": [
      "good",
      "inter"
    ],
    "clientCert": true,
    "expect": null
  },
  {
    "name": "ssh banner",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_WRONG_VERSION_NUMBER",
      "reason": "wrong version number",
      "rejectUnauthorized": "ERR_SSL_WRONG_VERSION_NUMBER"
    },
    "chain": [],
    "banner": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
    "expect": "TLS-010"
  },
  {
    "name": "http 400",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_WRONG_VERSION_NUMBER",
      "reason": "wrong version number",
      "rejectUnauthorized": "ERR_SSL_WRONG_VERSION_NUMBER"
    },
    "chain": [],
    "banner": "HTTP/1.1 400 Bad Request",
    "expect": "TLS-010"
  },
  {
    "name": "smtp banner",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_WRONG_VERSION_NUMBER",
      "reason": "wrong version number",
      "rejectUnauthorized": "ERR_SSL_WRONG_VERSION_NUMBER"
    },
    "chain": [],
    "banner": "220 mail.lab.test ESMTP Postfix",
    "expect": "TLS-010"
  },
  {
    "name": "mysql greeting",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_WRONG_VERSION_NUMBER",
      "reason": "wrong version number"
    },
    "chain": [],
    "expect": "TLS-010"
  },
  {
    "name": "redis -ERR",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_WRONG_VERSION_NUMBER",
      "reason": "wrong version number"
    },
    "chain": [],
    "banner": "-ERR unknown command",
    "expect": "TLS-010"
  },
  {
    "name": "zero bytes",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_WRONG_VERSION_NUMBER",
      "reason": "wrong version number"
    },
    "chain": [],
    "expect": "TLS-010"
  },
  {
    "name": "huge record 0x7fff",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ERR_SSL_PACKET_LENGTH_TOO_LONG",
      "reason": "packet length too long"
    },
    "chain": [],
    "expect": "TLS-010"
  },
  {
    "name": "postgres N",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": null,
      "timeout": true
    },
    "chain": [],
    "banner": "N",
    "expect": "TLS-010"
  },
  {
    "name": "silent (stall)",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": null,
      "timeout": true,
      "rejectUnauthorized": "timeout"
    },
    "chain": [],
    "expect": "TLS-009"
  },
  {
    "name": "close after ClientHello",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ECONNRESET",
      "rejectUnauthorized": "ECONNRESET"
    },
    "chain": [],
    "expect": null
  },
  {
    "name": "reset after ClientHello",
    "node": {
      "secure": false,
      "authorizationError": null,
      "errorCode": "ECONNRESET",
      "rejectUnauthorized": "ECONNRESET"
    },
    "chain": [],
    "expect": null
  }
];

/** PEM of the certificates a case passes with --ca (public certificates only). */
export const OBSERVED_PEMS: Record<string, string> = {
  "selfexp": "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: 4104 (0x1008)\n        Signature Algorithm: ecdsa-with-SHA256\n        Issuer: CN=localhost\n        Validity\n            Not Before: Jan  1 00:00:00 2024 GMT\n            Not After : Jan  1 00:00:00 2025 GMT\n        Subject: CN=localhost\n        Subject Public Key Info:\n            Public Key Algorithm: id-ecPublicKey\n                Public-Key: (256 bit)\n                pub:\n                    04:47:98:b3:6c:77:ed:46:7f:01:6e:89:0a:0e:08:\n                    03:07:91:80:ae:02:a9:0b:f6:47:c5:85:a5:27:bc:\n                    be:b7:60:ef:3c:ed:15:55:84:a6:d3:d5:33:ef:6b:\n                    43:38:f4:8f:7a:fa:82:3d:b1:d7:e0:35:96:13:0d:\n                    1c:94:f6:2e:e3\n                ASN1 OID: prime256v1\n                NIST CURVE: P-256\n        X509v3 extensions:\n            X509v3 Basic Constraints: critical\n                CA:FALSE\n            X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment\n            X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication\n            X509v3 Subject Key Identifier: \n                03:01:51:D4:70:66:26:46:46:B5:72:77:0C:67:D0:AB:2E:67:C6:FC\n            X509v3 Subject Alternative Name: \n                DNS:localhost, IP Address:127.0.0.1\n    Signature Algorithm: ecdsa-with-SHA256\n    Signature Value:\n        30:46:02:21:00:b5:78:bc:17:8d:e8:c0:56:2a:0f:7c:a6:db:\n        0b:75:d9:64:6b:61:2d:0b:9c:82:77:fd:14:c1:81:20:73:e0:\n        58:02:21:00:b0:9d:1a:c7:83:6b:46:94:1a:52:74:49:c7:ca:\n        a2:a4:72:0c:78:99:72:ab:a8:a5:6d:98:2b:ea:c7:61:67:7d\n-----BEGIN CERTIFICATE-----\nMIIBkzCCATigAwIBAgICEAgwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJbG9jYWxo\nb3N0MB4XDTI0MDEwMTAwMDAwMFoXDTI1MDEwMTAwMDAwMFowFDESMBAGA1UEAwwJ\nbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAER5izbHftRn8BbokK\nDggDB5GArgKpC/ZHxYWlJ7y+t2DvPO0VVYSm09Uz72tDOPSPevqCPbHX4DWWEw0c\nlPYu46N6MHgwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwHQYDVR0lBBYw\nFAYIKwYBBQUHAwEGCCsGAQUFBwMCMB0GA1UdDgQWBBQDAVHUcGYmRka1cncMZ9Cr\nLmfG/DAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZIzj0EAwIDSQAw\nRgIhALV4vBeN6MBWKg98ptsLddlka2EtC5yCd/0UwYEgc+BYAiEAsJ0ax4NrRpQa\nUnRJx8qipHIMeJlyq6ilbZgr6sdhZ30=\n-----END CERTIFICATE-----\n",
  "self": "-----BEGIN CERTIFICATE-----\nMIIBmDCCAT+gAwIBAgIUdBfk/HFjzHCvKJH9J55dyIT6gOswCgYIKoZIzj0EAwIw\nFDESMBAGA1UEAwwJbG9jYWxob3N0MB4XDTI2MTEyNjE3NTgzNloXDTI3MTEyNjE3\nNTgzNlowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0D\nAQcDQgAEyh6dmOTHo4N3HdLNUD2bk3ULWdfNM83ytTKQ57wZj21v3ZiZ58fjwr2R\npPKe/3D+MpBJKX0GgHng0nIrCBa3/aNvMG0wHQYDVR0OBBYEFGwjnPOTPirrEGIJ\nlsmMkiUj98+7MB8GA1UdIwQYMBaAFGwjnPOTPirrEGIJlsmMkiUj98+7MA8GA1Ud\nEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAoGCCqGSM49\nBAMCA0cAMEQCIFhKz6tTVPmYvvrpbtNK5RB5nr5pS5JSNXd7pXzmvZ7zAiBWSwRU\nYCfDm/6XPMm+X5D/XJ5HCnWvqulBAggC4aVAtQ==\n-----END CERTIFICATE-----\n"
};
