/**
 * The fleet wire protocol: what `netdx agent` and `netdx server` say to each other.
 * This file is the contract between the two; both sides validate with these schemas.
 *
 * Transport: HTTP/1.1 (or HTTPS with --tls-cert/--tls-key), JSON bodies, UTF-8.
 * Every agent request carries `Authorization: Bearer <agent token>`. The token is bound on the
 * server to one agent name and its labels (`netdx server token create --name N --labels k=v,…`);
 * the agent never sends its own labels, and a request whose `agent` differs from the token's
 * name is refused (403). Unknown/revoked tokens: 401. Operator tokens are refused on /api/agent/* (403),
 * agent tokens on everything else (403).
 *
 * Agent endpoints (all under /api/agent):
 *   GET  /api/agent/config                    → ConfigResponse (ETag = version; If-None-Match → 304)
 *   POST /api/agent/events     EventBatch     → EventAck
 *   GET  /api/agent/commands?wait=SECONDS     → CommandList (long poll, wait ≤ 30, returns at once
 *                                                when a command is queued for this agent)
 *   POST /api/agent/commands/:id/result  CommandResult → 204
 *
 * Delivery: the agent numbers its events 1, 2, 3 … (`seq`, per agent, persisted in its spool,
 * never reused). A batch is contiguous and ascending. The server stores each (agent, seq) at most
 * once, inside one transaction per batch (all or nothing), and answers with the highest seq it holds
 * (`acked`). Events at or below `acked` are duplicates: skipped, counted, not an error. A batch
 * whose first seq is above acked+1 is a gap: 409 with `{ acked }`, and the agent resends from
 * acked+1. The agent deletes spooled events only after an ack covers them. So every event is
 * stored exactly once, in order, across agent and server restarts.
 *
 * Limits (server): body ≤ MAX_BODY_BYTES (413), ≤ MAX_BATCH events per batch (413), reports are
 * validated with the report contract (400 naming the field, nothing stored).
 */
import { z } from 'zod';
import { ReportSchema } from '../model/report.js';

export const PROTOCOL_VERSION = 1;
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_BATCH = 200;
export const MAX_COMMAND_WAIT_S = 30;

export const TargetStateSchema = z.enum(['up', 'down', 'unknown']);

/** The agent's view of one target (from the monitor loop's TargetRuntime). */
export const TargetStatusSchema = z.object({
  /** The target's `name` in the config. */
  target: z.string().min(1).max(256),
  state: TargetStateSchema,
  /** Epoch ms of the last state change. */
  since: z.number().int().nonnegative(),
  /** Fault codes of the latest report while down (most important first); [] while up. */
  codes: z.array(z.string().max(32)).max(64),
});

const eventBase = {
  seq: z.number().int().positive(),
  /** Epoch ms on the agent when the event happened. */
  at: z.number().int().nonnegative(),
};

/** A target changed state: sent at once, with the report that explains it (null when up without a fresh report). */
export const ChangeEventSchema = z.object({
  ...eventBase,
  kind: z.literal('change'),
  target: z.string().min(1).max(256),
  from: TargetStateSchema,
  to: TargetStateSchema,
  codes: z.array(z.string().max(32)).max(64),
  report: ReportSchema.nullable(),
});

/** A newer full report for a target whose state did not change (re-diagnosis while failing). */
export const ReportEventSchema = z.object({
  ...eventBase,
  kind: z.literal('report'),
  target: z.string().min(1).max(256),
  report: ReportSchema,
});

/** Every interval: the current state of every target. */
export const HeartbeatEventSchema = z.object({
  ...eventBase,
  kind: z.literal('heartbeat'),
  targets: z.array(TargetStatusSchema).max(10_000),
  /** netdx version of the agent. */
  version: z.string().max(64),
});

export const AgentEventSchema = z.discriminatedUnion('kind', [ChangeEventSchema, ReportEventSchema, HeartbeatEventSchema]);

export const EventBatchSchema = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  /** Must equal the name bound to the token. */
  agent: z.string().min(1).max(128),
  events: z.array(AgentEventSchema).min(1).max(MAX_BATCH),
});

export const EventAckSchema = z.object({
  /** Highest seq the server holds for this agent (0 when none). */
  acked: z.number().int().nonnegative(),
  /** Events of this batch that were already stored (duplicates skipped). */
  duplicates: z.number().int().nonnegative(),
});

export const ConfigResponseSchema = z.object({
  /** Opaque; changes whenever the YAML changes. */
  version: z.string(),
  /** The monitor's config YAML (src/monitor/config.ts), with the targets this agent should watch. */
  yaml: z.string(),
  /** Seconds between heartbeats. */
  heartbeatS: z.number().positive(),
});

/** On-demand work for an agent: "diagnose TARGET now" (POST /api/compare fans these out). */
export const CommandSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('diagnose'),
  /** HOST[:PORT] or URL, as `netdx diagnose` takes it. */
  target: z.string().min(1).max(512),
  /** diagnose options by long name (as in the monitor config), e.g. { "expect-ip": "…", "timeout": "3s" }. */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Epoch ms after which the result is no longer wanted. */
  deadline: z.number().int().nonnegative(),
});

export const CommandListSchema = z.object({ commands: z.array(CommandSchema) });

export const CommandResultSchema = z.object({
  agent: z.string().min(1).max(128),
  /** The report, or an error line when the agent could not run the diagnosis. */
  report: ReportSchema.nullable(),
  error: z.string().max(2000).nullable(),
});

export type TargetState = z.infer<typeof TargetStateSchema>;
export type TargetStatus = z.infer<typeof TargetStatusSchema>;
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
export type ReportEvent = z.infer<typeof ReportEventSchema>;
export type HeartbeatEvent = z.infer<typeof HeartbeatEventSchema>;
export type AgentEvent = z.infer<typeof AgentEventSchema>;
export type EventBatch = z.infer<typeof EventBatchSchema>;
export type EventAck = z.infer<typeof EventAckSchema>;
export type ConfigResponse = z.infer<typeof ConfigResponseSchema>;
export type Command = z.infer<typeof CommandSchema>;
export type CommandList = z.infer<typeof CommandListSchema>;
export type CommandResult = z.infer<typeof CommandResultSchema>;
