import { z } from "zod";

/**
 * Job input as it arrives over the wire (`cron.add`, `cron.update`, the agent tool): zod at
 * the trust boundary, OpenClaw's field names. Deeper checks (a real time zone, a cron
 * expression that parses) are the schedule's, with messages naming the field.
 */

/** Longest message or system-event text a job carries: a prompt, not a document. */
export const MAX_JOB_TEXT_CHARS = 20_000;
/** Longest per-run timeout a job may ask for (a day). */
export const MAX_TIMEOUT_SECONDS = 86_400;

const text = z.string().min(1).max(MAX_JOB_TEXT_CHARS);

export const scheduleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("at"), at: z.string().min(1).max(64) }),
  z.object({
    kind: z.literal("every"),
    everyMs: z.number().int().positive(),
    anchorMs: z.number().int().optional(),
  }),
  z.object({
    kind: z.literal("cron"),
    expr: z.string().min(1).max(256),
    tz: z.string().min(1).max(64).optional(),
  }),
]);

export const payloadSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("systemEvent"), text }),
  z.object({
    kind: z.literal("agentTurn"),
    message: text,
    model: z.string().max(200).optional(),
    thinking: z.string().max(32).optional(),
    timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_SECONDS).optional(),
  }),
]);

export const deliverySchema = z.object({
  mode: z.enum(["none", "announce"]),
  channel: z.string().min(1).max(64).optional(),
  to: z.string().min(1).max(256).optional(),
  accountId: z.string().min(1).max(128).optional(),
  bestEffort: z.boolean().optional(),
});

/** Longest cooldown between failure alerts a job may set (a week). */
const MAX_ALERT_COOLDOWN_MS = 7 * 86_400_000;
/** Most consecutive failures a job may wait for before alerting. */
const MAX_ALERT_AFTER = 1_000;

export const failureAlertSchema = z.union([
  z.literal(false),
  z.object({
    enabled: z.boolean().optional(),
    after: z.number().int().min(1).max(MAX_ALERT_AFTER).optional(),
    cooldownMs: z.number().int().min(0).max(MAX_ALERT_COOLDOWN_MS).optional(),
    channel: z.string().min(1).max(64).optional(),
    to: z.string().min(1).max(256).optional(),
    accountId: z.string().min(1).max(128).optional(),
    mode: z.enum(["announce", "none"]).optional(),
    includeSkipped: z.boolean().optional(),
  }),
]);

/** Longest session key a job may name (`current`'s conversation, a `session:<key>` target). */
const MAX_SESSION_KEY_CHARS = 256;

export const sessionTargetSchema = z.union([
  z.enum(["main", "isolated", "current"]),
  z
    .string()
    .regex(/^session:\S+$/, 'write session:<key>, e.g. "session:daily-brief"')
    .max(MAX_SESSION_KEY_CHARS) as z.ZodType<`session:${string}`>,
]);

const common = {
  name: z.string().max(200).optional(),
  description: z.string().max(2_000).optional(),
  agentId: z.string().min(1).max(64).optional(),
  enabled: z.boolean().optional(),
  deleteAfterRun: z.boolean().optional(),
  sessionTarget: sessionTargetSchema.optional(),
  sessionKey: z.string().min(1).max(MAX_SESSION_KEY_CHARS).optional(),
  wakeMode: z.enum(["now", "next-heartbeat"]).optional(),
  failureAlert: failureAlertSchema.optional(),
};

export const jobInputSchema = z.object({
  ...common,
  schedule: scheduleSchema,
  payload: payloadSchema,
  delivery: deliverySchema.optional(),
});

export const jobPatchSchema = z.object({
  ...common,
  schedule: scheduleSchema.optional(),
  payload: z
    .object({
      kind: z.enum(["systemEvent", "agentTurn"]).optional(),
      text: text.optional(),
      message: text.optional(),
      model: z.string().max(200).optional(),
      thinking: z.string().max(32).optional(),
      timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_SECONDS).optional(),
    })
    .optional(),
  delivery: deliverySchema.partial().optional(),
});
