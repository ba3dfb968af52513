import { z } from "zod";
import { lazySchema } from "./lazy.js";

/** `HH:MM`, 00:00–24:00 (24:00 closes a window at midnight). */
const clockTime = () =>
  z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, "write a time as HH:MM, e.g. 08:00 or 22:30");

/**
 * `agents.defaults.heartbeat` and `agents.list[].heartbeat`: the agent wakes on its own
 * every so often, reads its HEARTBEAT.md checklist, and speaks only when something needs
 * attention. OpenClaw's keys; loose, so its other keys still load.
 */
export const heartbeatSchema = lazySchema("heartbeat", () =>
  z
    .looseObject({
      every: z
        .string()
        .regex(/^\d+(?:\.\d+)?\s*(ms|s|m|h|d)$/i, 'write a duration like "30m" or "1h"; "0m" turns it off')
        .optional()
        .describe('how often the agent wakes (default "30m"; "0m" turns heartbeats off)'),
      prompt: z.string().max(20_000).optional().describe("what the agent is told on each heartbeat"),
      target: z
        .string()
        .min(1)
        .optional()
        .describe(
          'where an alert goes: "owner" (default: the DM of the first commands.ownerAllowFrom entry, else of a channel allowFrom), "last" (the main session\'s last chat), "none", or a channel name with `to`',
        ),
      to: z.string().min(1).optional().describe("recipient when target is a channel name"),
      accountId: z.string().min(1).optional().describe("channel account to send from"),
      activeHours: z
        .looseObject({
          start: clockTime().describe("first minute heartbeats run (HH:MM)"),
          end: clockTime().describe("minute they stop (HH:MM); before start means the window spans midnight"),
          timezone: z.string().min(1).optional().describe("IANA time zone of start/end (default: UTC)"),
        })
        .optional()
        .describe("heartbeats run only inside this daily window"),
      model: z
        .string()
        .min(1)
        .optional()
        .describe(
          "model for heartbeat turns (provider/model), e.g. a cheaper one; the agent's fallbacks still apply",
        ),
      lightContext: z
        .boolean()
        .optional()
        .describe(
          "heartbeat turns skip the workspace bootstrap files (AGENTS.md, …): only the prompt and HEARTBEAT.md",
        ),
      isolatedSession: z
        .boolean()
        .optional()
        .describe("run each heartbeat in its own session, not the main one"),
      timeoutSeconds: z
        .number()
        .int()
        .min(1)
        .max(3_600)
        .optional()
        .describe("per-heartbeat limit (default 300)"),
      ackMaxChars: z
        .number()
        .int()
        .min(0)
        .max(10_000)
        .optional()
        .describe(
          "text beside HEARTBEAT_OK up to this length is still an acknowledgement, not sent (default 300)",
        ),
    })
    .describe("periodic agent wake-ups"),
);

export type HeartbeatConfig = z.infer<ReturnType<typeof heartbeatSchema>>;
