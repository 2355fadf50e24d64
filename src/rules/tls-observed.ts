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
 * Generated data (test/fixtures/tls-observed/*.json, *.pem): do not edit by hand; re-record rather
 * than adjust. tls-classify.test.ts replays every case.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

// The recorded data lives in test/fixtures/tls-observed/ as plain JSON and PEM files.
const DIR = new URL('../../test/fixtures/tls-observed/', import.meta.url);
const json = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as T;

/** The certificates of the cases, by name (subject, issuer, SANs, validity, serial, …). */
export const OBSERVED_CERTS: Record<string, CertInfo> = json('certs.json');

/** Every recorded case: what node:tls said, the chain the client saw, and what netdx must conclude. */
export const OBSERVED_CASES: ObservedCase[] = json('cases.json');

/** PEM of the certificates a case passes with --ca (public certificates only): test/fixtures/tls-observed/NAME.pem. */
export const OBSERVED_PEMS: Record<string, string> = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.pem'))
    .map((f) => [f.slice(0, -4), readFileSync(new URL(f, DIR), 'utf8')]),
);
