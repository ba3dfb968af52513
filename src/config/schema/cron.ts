import { z } from "zod";
import { compatOnly, looseRecord } from "./common.js";
import { lazySchema } from "./lazy.js";

/** The `cron` section: scheduled jobs (automations) and how their runs are kept. */

/** Most scheduled runs at once: each holds one of the agents' turn slots while it runs. */
export const MAX_CRON_CONCURRENT_RUNS = 16;

export const cronSchema = lazySchema("cron.object", () =>
  z
    .looseObject({
      enabled: z
        .boolean()
        .optional()
        .describe("run scheduled jobs (default true); false keeps them stored, idle"),
      maxConcurrentRuns: z
        .number()
        .int()
        .min(1)
        .max(MAX_CRON_CONCURRENT_RUNS)
        .optional()
        .describe("scheduled runs at once (default 1); more wait their turn, chat keeps the other slots"),
      sessionRetention: z
        .union([
          z
            .string()
            .regex(
              /^\d+(?:\.\d+)?\s*(ms|s|m|h|d|w)$/i,
              'write a duration like "24h" or "7d", or false to keep them',
            )
            .refine((v) => Number.parseFloat(v) > 0, 'the retention must be longer than 0, e.g. "24h"'),
          z.literal(false),
        ])
        .optional()
        .describe(
          'how long an isolated run session (cron:<jobId>) is kept after its last run (default "24h"); false keeps them',
        ),
      failureAlert: z
        .strictObject({
          enabled: z
            .boolean()
            .optional()
            .describe("send failure alerts (default true once this block is set)"),
          after: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe("consecutive failed runs before an alert (default 3)"),
          cooldownMs: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe("least time between two alerts for one job, in ms (default 3600000, an hour)"),
          channel: z
            .string()
            .min(1)
            .optional()
            .describe("channel the alert goes to (default: the job's delivery channel)"),
          to: z
            .string()
            .min(1)
            .optional()
            .describe("recipient on that channel (default: the job's delivery recipient)"),
          accountId: z.string().min(1).optional().describe("channel account to send from"),
          mode: z.enum(["announce", "none"]).optional().describe("announce (default) or none (record only)"),
          includeSkipped: z
            .boolean()
            .optional()
            .describe("skipped runs in a row count toward `after` too (default false: only errors)"),
        })
        .optional()
        .describe("tell someone when a job keeps failing; a job's own failureAlert (or false) overrides it"),
      runLog: compatOnly(
        looseRecord.optional(),
        "OpenClaw's JSONL run log limits (ours: SQLite, 200 runs per job)",
      ),
    })
    .describe(
      "scheduled jobs (automations): `openclaw cron`, `cron.*` methods; jobs live in <state>/cron/cron.sqlite",
    ),
);
