/**
 * The Report: the JSON contract of `netdx diagnose --json` (../shared/report-contract.md).
 * The zod schema is the single source: TypeScript types are inferred from it and
 * docs/report.schema.json is generated from it (scripts/gen-schema.mjs).
 */
import { z } from 'zod';
import { LAYERS, LAYER_STATUSES, SEVERITIES } from './layer.js';
import { PROTOCOLS } from './target.js';
import { REPORT_SCHEMA_ID } from './report-id.js';

export { REPORT_SCHEMA_ID };

/** A message id with its parameters (model/message.ts): what a text says, as data. */
export const MessageSchema = z.object({
  id: z.string().describe('stable message id, e.g. TCP-001.refused or reason.dnsUnnamed'),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()), z.array(z.number())])),
});

export const EvidenceSchema = z.object({
  observation: z.string().describe('kind of the observation this evidence rests on'),
  summary: z.string(),
  message: MessageSchema.optional().describe('the summary as a message id with parameters'),
  data: z.record(z.string(), z.unknown()).optional(),
  /** Set by `netdx pcap`: the capture packets this evidence rests on. */
  packets: z.array(z.object({ n: z.number().int().describe('packet number in the capture, 1-based (as tcpdump and Wireshark count)'), ts: z.string().describe('capture time, ISO 8601') })).optional(),
});

export const FixSchema = z.object({
  summary: z.string(),
  message: MessageSchema.optional().describe('the summary as a message id with parameters'),
  command: z.string().optional().describe('a real command with the case values filled in; absent when the fix is not a command'),
});

export const FindingSchema = z.object({
  code: z.string().regex(/^[A-Z]+-[0-9]{3}$/),
  slug: z.string(),
  layer: z.enum(LAYERS),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  explanation: z.string(),
  messages: z.object({ title: MessageSchema, explanation: MessageSchema }).optional().describe('the title and explanation as message ids with parameters'),
  evidence: z.array(EvidenceSchema),
  fix: z.array(FixSchema),
  explainedBy: z.string().optional(),
});

export const LayerRowSchema = z.object({
  layer: z.enum(LAYERS),
  status: z.enum(LAYER_STATUSES),
  ms: z.number(),
  reason: z.string().optional(),
  reasonMessage: MessageSchema.optional().describe('the reason as a message id with parameters, when it is one of the catalog'),
});

export const ObservationSchema = z.object({
  kind: z.string(),
  at: z.string(),
  ms: z.number(),
  data: z.unknown(),
});

const ConversationSchema = z.object({
  proto: z.enum(['tcp', 'udp']),
  a: z.string().describe('originator address (TCP: the SYN sender)'),
  aPort: z.number().int(),
  b: z.string(),
  bPort: z.number().int(),
  packetsAB: z.number().int(),
  bytesAB: z.number().int().describe('frame bytes on the wire, as tshark -z conv counts them'),
  packetsBA: z.number().int(),
  bytesBA: z.number().int(),
  firstPacket: z.number().int(),
  start: z.string(),
  durationMs: z.number(),
  state: z.string().optional().describe('Zeek conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH'),
  rttMs: z.number().nullable().optional().describe('SYN → SYN-ACK'),
  retransmissions: z.number().int().optional(),
  dupAcks: z.number().int().optional(),
  zeroWindows: z.number().int().optional(),
  mss: z.array(z.number().int()).optional().describe('MSS offered by [originator, responder]; -1: none'),
  wscale: z.array(z.number().int()).optional(),
  mssClamp: z.object({ from: z.number().int(), to: z.number().int(), packet: z.number().int() }).nullable().optional(),
  maxIdleMs: z.number().optional(),
  icmpErrors: z.number().int(),
});

export const CaptureSummarySchema = z.object({
  file: z.string(),
  format: z.enum(['pcap', 'pcapng']),
  linktypes: z.array(z.string()),
  packets: z.number().int(),
  bytes: z.number().int(),
  matched: z.number().int().describe('packets that passed --filter'),
  start: z.string(),
  end: z.string(),
  durationMs: z.number(),
  tcpConnections: z.number().int(),
  udpFlows: z.number().int(),
  tcpStates: z.record(z.string(), z.number().int()),
  retransmissions: z.number().int(),
  retransmissionRate: z.number().describe('retransmitted TCP segments / TCP packets'),
  dupAcks: z.number().int(),
  zeroWindows: z.number().int(),
  handshakeRttMs: z.object({ count: z.number().int(), p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() }).nullable(),
  dnsQueries: z.number().int(),
  fragments: z.number().int(),
  topTalkers: z.array(z.object({ address: z.string(), packets: z.number().int(), bytes: z.number().int() })),
  conversations: z.array(ConversationSchema).describe('the largest conversations by bytes'),
  warnings: z.array(z.string()).describe('damage or limits met while reading (the analysis covers what was read)'),
  warningMessages: z.array(MessageSchema).optional().describe('the warnings as message ids with parameters, in the same order'),
});

export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  target: z.object({
    input: z.string(),
    host: z.string(),
    port: z.number().int().nullable(),
    protocol: z.enum(PROTOCOLS),
    addresses: z.array(z.string()).optional(),
    /** An internationalized name in Unicode, when `host` is its A-label (punycode) form. */
    display: z.string().optional(),
  }),
  startedAt: z.string(),
  durationMs: z.number(),
  verdict: z.enum(['ok', 'degraded', 'fault', 'unknown']).describe("unknown: no error finding, but a layer on the target's path could not be judged (see undetermined); exit 3"),
  /** With verdict `unknown`: the layers netdx could not judge, each with the raw reason (docs/decisions/010). */
  undetermined: z.array(z.object({ layer: z.enum(LAYERS), reason: z.string() })).optional(),
  primary: FindingSchema.nullable(),
  findings: z.array(FindingSchema),
  layers: z.array(LayerRowSchema),
  observations: z.array(ObservationSchema),
  lang: z.enum(['en', 'zh']).optional(),
  /** Set by `netdx analyze`: the report judges a snapshot, not this machine now. */
  snapshot: z.object({ hostname: z.string(), collectedAt: z.string() }).optional(),
  /** Set by `netdx pcap` (and `diagnose --capture`): what the capture holds. */
  capture: CaptureSummarySchema.optional(),
});

export type Evidence = z.infer<typeof EvidenceSchema>;
export type Fix = z.infer<typeof FixSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type LayerRow = z.infer<typeof LayerRowSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type Verdict = Report['verdict'];
export type CaptureSummary = z.infer<typeof CaptureSummarySchema>;

/** Contract invariants beyond the shape (report-contract.md "Rules"). Returns the broken ones. */
export function contractViolations(r: Report): string[] {
  const out: string[] = [];
  const hasError = r.findings.some((f) => f.severity === 'error');
  if (hasError !== (r.primary !== null)) out.push('primary must be null exactly when no finding has severity error');
  if (hasError !== (r.verdict === 'fault')) out.push('verdict must be fault exactly when some finding has severity error');
  const undetermined = (r.undetermined ?? []).length > 0;
  if (!hasError && r.verdict === 'unknown' && !undetermined) out.push('verdict unknown must say which layer could not be judged (undetermined)');
  if (r.verdict !== 'unknown' && undetermined) out.push('undetermined is set only with verdict unknown');
  if (!hasError && r.verdict !== 'unknown' && r.findings.some((f) => f.severity === 'warning') !== (r.verdict === 'degraded')) out.push('verdict must be degraded exactly when only warnings exist');
  if (r.primary && r.primary.severity !== 'error') out.push('primary must be an error finding');
  for (const f of r.findings) {
    for (const fx of f.fix) if (fx.command && /<[a-z_-]+>/i.test(fx.command)) out.push(`${f.code}: fix command has a placeholder: ${fx.command}`);
  }
  return out;
}
