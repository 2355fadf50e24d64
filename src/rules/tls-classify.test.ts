import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ObservationData } from '../model/observation.js';
import { alertName, alsoClasses, bundleFingerprints, chainBreak, classifyAll, classifyHandshake, firstWith, TLS_PRECEDENCE, versionGap, warnsExpiry } from './tls-classify.js';
import { cert, failedHandshake, fromNode, handshake, intermediate, verifyFailed, versions } from './tls-fixtures.js';
import { OBSERVED_CASES, OBSERVED_CERTS, OBSERVED_PEMS, RECORDED_AT } from './tls-observed.js';
import { ctx, NOW } from './fixtures.js';

type Hs = ObservationData['tls.handshake'];
const DAY = 86_400_000;
const classify = (h: Hs, extra: { ca?: string; versions?: ObservationData['tls.versions'] | null } = {}) => classifyHandshake(h, { now: NOW, ...extra });

test('every case recorded against real servers gets the expected code', () => {
  assert.ok(OBSERVED_CASES.length >= 40);
  for (const c of OBSERVED_CASES) {
    const got = classifyHandshake(fromNode(c).data, { now: RECORDED_AT, ...(c.caCert ? { ca: OBSERVED_PEMS[c.caCert] } : {}) });
    assert.equal(got?.code ?? null, c.expect, `${c.name}: node said ${c.node.authorizationError ?? c.node.errorCode ?? (c.node.timeout ? 'timeout' : 'ok')}`);
  }
});

test('the recorded cases cover every error string the classifier relies on', () => {
  const seen = new Set(OBSERVED_CASES.flatMap((c) => [c.node.errorCode, c.node.authorizationError]).filter((x): x is string => !!x));
  for (const code of [
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_PACKET_LENGTH_TOO_LONG',
    'ERR_SSL_UNSUPPORTED_PROTOCOL',
    'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
    'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
    'ECONNRESET',
  ]) {
    assert.ok(seen.has(code), `${code} was observed`);
  }
});

test('what node hides is recovered from the chain (recorded facts the precedence rests on)', () => {
  const byName = new Map(OBSERVED_CASES.map((c) => [c.name, c]));
  // node names only the time error for an expired self-signed certificate …
  assert.equal(byName.get('self-signed+expired')!.node.authorizationError, 'CERT_HAS_EXPIRED');
  // … and for an expired certificate for another name
  assert.equal(byName.get('wrong-name+expired')!.node.authorizationError, 'CERT_HAS_EXPIRED');
  assert.equal(byName.get('wrong-name+expired')!.node.checkServerIdentity, 'ERR_TLS_CERT_ALTNAME_INVALID');
  // a missing intermediate and an unknown root that issued the leaf directly look the same
  assert.equal(byName.get('root-issued leaf, root unknown')!.node.authorizationError, byName.get('leaf-only (missing intermediate)')!.node.authorizationError);
  // TLS 1.3 client-certificate alerts come after secureConnect
  assert.equal(byName.get('mtls 1.3 none')!.node.secure, true);
  // handshake_failure: same code for "no shared cipher" and "no client certificate (TLS 1.2)"; only the chain differs
  assert.equal(byName.get('no shared cipher (1.2)')!.node.errorCode, byName.get('mtls 1.2 none')!.node.errorCode);
  assert.equal(byName.get('no shared cipher (1.2)')!.chain.length, 0);
  assert.ok(byName.get('mtls 1.2 none')!.chain.length > 0);
});

test('precedence within one handshake: pin > trust > chain > name > time', () => {
  const expiredSelfSigned = cert({ selfSigned: true, issuer: 'CN=app.lab.test', notAfter: new Date(NOW.getTime() - 10 * DAY).toISOString() });
  const pinMiss = { expected: 'sha256/AAAA', matched: false };
  assert.equal(classify(verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredSelfSigned], pin: pinMiss }).data)?.code, 'TLS-011');
  assert.equal(classify(verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredSelfSigned] }).data)?.code, 'TLS-004');
  const expiredWrongName = cert({ notAfter: new Date(NOW.getTime() - 5 * DAY).toISOString() });
  assert.equal(
    classify(verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredWrongName, intermediate()], verify: { ok: false, code: 'CERT_HAS_EXPIRED', hostnameOk: false, trustedBy: 'system' } }).data)?.code,
    'TLS-003',
  );
  assert.equal(classify(verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredWrongName, intermediate()] }).data)?.code, 'TLS-001');
  const future = cert({ notBefore: new Date(NOW.getTime() + 3 * DAY).toISOString() });
  assert.equal(classify(verifyFailed('CERT_NOT_YET_VALID', { chain: [future, intermediate()] }).data)?.code, 'TLS-002');
  // a certificate problem outranks the client-certificate alert that follows in TLS 1.3
  assert.equal(
    classify(verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredWrongName, intermediate()], outcome: 'alert', errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }).data)?.code,
    'TLS-001',
  );
});

test('an expired self-signed certificate that --ca trusts is TLS-001, and one trusted without an ALTNAME error is not TLS-004', () => {
  const selfexp = OBSERVED_CERTS['selfexp']!;
  const h = verifyFailed('CERT_HAS_EXPIRED', { chain: [selfexp] }).data;
  assert.equal(selfexp.selfSigned, true);
  assert.equal(classify(h, { ca: OBSERVED_PEMS['selfexp'] })?.code, 'TLS-001');
  // a probe that only compares names (selfSigned false) still gets TLS-004
  assert.equal(classify(verifyFailed('CERT_HAS_EXPIRED', { chain: [{ ...selfexp, selfSigned: false }] }).data)?.code, 'TLS-004');
  assert.equal(classify(h, { ca: OBSERVED_PEMS['self'] })?.code, 'TLS-004', 'a different certificate in --ca does not trust it');
  assert.equal(classify(h)?.code, 'TLS-004');
  const self = OBSERVED_CERTS['self']!;
  assert.equal(classify(verifyFailed('ERR_TLS_CERT_ALTNAME_INVALID', { chain: [self] }).data)?.code, 'TLS-003');
});

test('issuer errors: the break in the presented chain decides TLS-005 or TLS-004', () => {
  const leaf = cert();
  assert.deepEqual(classify(verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [leaf] }).data), {
    code: 'TLS-005',
    ambiguous: true,
    reason: 'verify:UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    certIndex: 0,
  });
  assert.deepEqual(classify(verifyFailed('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', { chain: [leaf, intermediate()] }).data), {
    code: 'TLS-004',
    reason: 'verify:UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    certIndex: 1,
  });
  // a lone CA certificate whose issuer is missing: the missing one is a root, not an intermediate
  assert.equal(classify(verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [intermediate()] }).data)?.code, 'TLS-004');
  // leaf followed by an unrelated certificate: the leaf's issuer is still missing
  const unrelated = intermediate({ subject: 'CN=Some Other CA' });
  assert.equal(classify(verifyFailed('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', { chain: [leaf, unrelated] }).data)?.code, 'TLS-005');
  // any other verification code: the chain cannot be trusted
  assert.equal(classify(verifyFailed('CERT_SIGNATURE_FAILURE').data)?.code, 'TLS-004');
  assert.equal(classify(verifyFailed('CERT_REVOKED').data)?.reason, 'verify:CERT_REVOKED');
});

test('a leaf alone with an unknown issuer: missing intermediate (TLS-005) or private root (TLS-004), decided by AIA, interception roots, --ca, the issuer name (decision 011)', () => {
  const lone = (over: Parameters<typeof cert>[0], verify: Partial<Hs['verify']> = {}) =>
    verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert(over)], verify: { ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', hostnameOk: true, trustedBy: 'system', ...verify } }).data;
  // AIA caIssuers: the CA publishes the intermediate: the server forgot it (certain)
  assert.deepEqual(classify(lone({ issuer: 'CN=Example Root', caIssuers: ['http://ca.example/int.crt'] })), { code: 'TLS-005', reason: 'verify:UNABLE_TO_VERIFY_LEAF_SIGNATURE', certIndex: 0 });
  // a known interception root, even with an intermediate-looking name
  const sf = classify(lone({ issuer: 'CN=Superfish, Inc.' }));
  assert.equal(sf?.code, 'TLS-004');
  assert.equal(sf?.interception, 'Superfish');
  assert.equal(classify(lone({ issuer: 'CN=eDellRoot' }))?.interception, 'eDellRoot (Dell)');
  // a private root, no --ca: TLS-004 (ambiguous: both fixes)
  assert.deepEqual(classify(lone({ issuer: 'O=Acme, CN=Acme Private Root' })), { code: 'TLS-004', ambiguous: true, reason: 'verify:UNABLE_TO_VERIFY_LEAF_SIGNATURE', certIndex: 0 });
  assert.equal(classify(lone({ issuer: 'CN=acme-ca' }))?.code, 'TLS-004');
  // the same nameless issuer with --ca given: the user named the CA, the leaf is not from it directly → TLS-005
  assert.equal(classify(lone({ issuer: 'CN=acme-ca' }, { trustedBy: 'ca-file' }))?.code, 'TLS-005');
  // an intermediate-looking issuer name
  assert.equal(classify(lone({ issuer: "CN=R3, O=Let's Encrypt" }))?.code, 'TLS-005');
  assert.equal(classify(lone({ issuer: 'CN=Acme Issuing CA 2' }))?.code, 'TLS-005');
});

test('independent certificate problems: a chain-incomplete certificate for another name also gives TLS-003; primary by TLS_PRECEDENCE', () => {
  const h = verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', {
    chain: [cert({ issuer: 'CN=Acme Issuing CA 2', caIssuers: ['http://ca/int.crt'] })],
    verify: { ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', hostnameOk: false, trustedBy: 'system' },
  }).data;
  const cls = classify(h);
  assert.equal(cls?.code, 'TLS-005');
  assert.deepEqual(
    alsoClasses(h, cls, { now: NOW }).map((c) => c.code),
    ['TLS-003'],
  );
  assert.ok(TLS_PRECEDENCE.indexOf('TLS-005') < TLS_PRECEDENCE.indexOf('TLS-003'));
  // a self-signed certificate is judged by trust alone
  const self = verifyFailed('DEPTH_ZERO_SELF_SIGNED_CERT', {
    chain: [cert({ selfSigned: true, issuer: 'CN=app.lab.test', subject: 'CN=app.lab.test' })],
    verify: { ok: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', hostnameOk: false, trustedBy: 'system' },
  }).data;
  assert.deepEqual(alsoClasses(self, classify(self), { now: NOW }), []);
});

test('alerts and errors without a certificate problem', () => {
  const cases: Array<[Partial<Hs>, string | null]> = [
    [{ outcome: 'alert', alert: 'protocol_version' }, 'TLS-006'],
    [{ outcome: 'alert', alert: 'insufficient_security' }, 'TLS-006'],
    [{ outcome: 'alert', alert: 'handshake_failure' }, 'TLS-006'],
    [{ outcome: 'alert', alert: 'handshake_failure', clientCertRequested: true }, 'TLS-007'],
    [{ outcome: 'alert', alert: 'certificate_required' }, 'TLS-007'],
    [{ outcome: 'alert', alert: 'bad_certificate', clientCertOffered: true }, 'TLS-007'],
    [{ outcome: 'alert', alert: 'access_denied', clientCertOffered: true }, 'TLS-007'],
    [{ outcome: 'alert', alert: 'access_denied' }, null],
    [{ outcome: 'alert', alert: 'unrecognized_name' }, 'TLS-003'],
    [{ outcome: 'alert', alert: 'internal_error' }, null],
    [{ outcome: 'error', errorCode: 'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED' }, 'TLS-006'],
    [{ outcome: 'error', errorCode: 'ERR_SSL_NO_SHARED_CIPHER' }, 'TLS-006'],
    [{ outcome: 'error', errorCode: 'ERR_SSL_SOMETHING_NEW' }, null],
    [{ outcome: 'tcp-failed' }, null],
    [{ outcome: 'reset', errorCode: 'ECONNRESET' }, null],
    [{ outcome: 'closed' }, null],
    [{ outcome: 'not-tls', banner: 'SSH-2.0-x' }, 'TLS-010'],
    [{ outcome: 'stall' }, 'TLS-009'],
    [{ outcome: 'stall', banner: 'N' }, 'TLS-010'],
  ];
  for (const [over, want] of cases) assert.equal(classify(failedHandshake(over).data)?.code ?? null, want, JSON.stringify(over));
});

test('a reset after the ClientHello is TLS-006 only when tls.versions proves a version gap', () => {
  const h = failedHandshake({ outcome: 'reset', errorCode: 'ECONNRESET' }).data;
  assert.equal(classify(h, { versions: versions().data })?.code, 'TLS-006');
  assert.equal(classify(h, { versions: versions({ accepted: ['TLSv1.2'], rejected: ['TLSv1', 'TLSv1.1'] }).data }), null);
  assert.equal(classify(h, { versions: versions({ accepted: [] }).data }), null);
});

test('healthy handshakes classify as null', () => {
  assert.equal(classify(handshake().data), null);
  assert.equal(classify(handshake({ pin: { expected: 'sha256/x', matched: true } }).data), null);
});

test('alertName decodes node error codes and normalizes alert text', () => {
  assert.equal(alertName({ alert: null, errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }), 'certificate_required');
  assert.equal(alertName({ alert: null, errorCode: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' }), 'handshake_failure');
  assert.equal(alertName({ alert: 'Protocol Version', errorCode: null }), 'protocol_version');
  assert.equal(alertName({ alert: null, errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }), null);
});

test('chainBreak, versionGap, bundleFingerprints, warnsExpiry', () => {
  assert.equal(chainBreak([cert(), intermediate()]), 1);
  assert.equal(chainBreak([cert()]), 0);
  assert.equal(chainBreak([cert({ selfSigned: true }), intermediate()]), 0);
  assert.equal(chainBreak([]), 0);
  assert.equal(versionGap(versions().data), true);
  assert.equal(versionGap(versions({ accepted: ['TLSv1.3'], clientRange: { min: 'TLSv1', max: 'TLSv1.2' } }).data), true);
  assert.equal(versionGap(versions({ accepted: ['TLSv1', 'TLSv1.2'] }).data), false);
  assert.equal(versionGap(null), false);
  const fps = bundleFingerprints(`${OBSERVED_PEMS['self']}\nnoise\n${OBSERVED_PEMS['selfexp']}\n-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n`);
  assert.equal(fps.size, 2);
  assert.ok(fps.has(OBSERVED_CERTS['self']!.fingerprint256.replace(/:/g, '')));
  assert.equal(bundleFingerprints(undefined).size, 0);
  assert.equal(warnsExpiry(null), true);
  assert.equal(warnsExpiry({ code: 'TLS-007', reason: 'x' }), true);
  assert.equal(warnsExpiry({ code: 'TLS-003', reason: 'x' }), false);
});

test('classifyAll pairs each handshake with the tls.versions of the same address and port', () => {
  const c = ctx({
    observations: [failedHandshake({ outcome: 'reset' }), failedHandshake({ address: '203.0.113.11', outcome: 'reset' }), versions()],
  });
  assert.deepEqual(
    classifyAll(c).map((x) => x.cls?.code ?? null),
    ['TLS-006', null],
  );
  assert.equal(firstWith(c, 'TLS-006')?.h.address, '203.0.113.10');
  assert.equal(firstWith(c, 'TLS-001'), null);
});

test('property: any handshake (hostile server strings included) classifies without throwing, to a TLS code or null', () => {
  const text = fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('CERT_HAS_EXPIRED', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_SSL_TLSV1_ALERT_'),
  );
  const date = fc.integer({ min: -4e12, max: 8e12 }).map((n) => new Date(n).toISOString());
  const certArb = fc
    .record({
      subject: fc.string(),
      issuer: fc.string(),
      selfSigned: fc.boolean(),
      isCA: fc.boolean(),
      notBefore: fc.oneof(date, fc.string()),
      notAfter: fc.oneof(date, fc.string()),
      fingerprint256: fc.string(),
    })
    .map((o) => cert(o));
  const outcome = fc.constantFrom<Hs['outcome']>('ok', 'verify-failed', 'alert', 'stall', 'not-tls', 'reset', 'closed', 'tcp-failed', 'error');
  fc.assert(
    fc.property(
      outcome,
      text,
      text,
      text,
      fc.array(certArb, { maxLength: 4 }),
      fc.boolean(),
      fc.option(fc.boolean()),
      fc.option(fc.string({ maxLength: 200 })),
      fc.option(fc.string({ maxLength: 300 })),
      (o, alert, errorCode, vcode, chain, vok, hostOk, banner, ca) => {
        const h = handshake({ outcome: o, alert, errorCode, chain, banner, verify: { ok: vok, code: vcode, hostnameOk: hostOk, trustedBy: null } }).data;
        const r = classifyHandshake(h, { now: NOW, ca: ca ?? undefined });
        assert.ok(r === null || /^TLS-0(0[1-79]|1[01])$/.test(r.code), JSON.stringify(r));
      },
    ),
    { numRuns: 500 },
  );
});
