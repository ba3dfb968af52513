import { z } from "zod";
import { type AgentTool, defineTool, type ToolContext, text } from "../agents/tools/types.js";
import {
  deliverySchema,
  jobPatchSchema,
  payloadSchema,
  scheduleSchema,
  sessionTargetSchema,
} from "./input-schema.js";
import { JobInputError } from "./jobs.js";
import { ScheduleError } from "./schedule.js";
import type { CronService } from "./service.js";
import type { CronJob } from "./types.js";

/**
 * The shortest interval a job the model creates may have: a prompt-injected message can
 * at worst add a job that fires once a minute, not one that burns tokens every second.
 */
export const MIN_TOOL_EVERY_MS = 60_000;
/** Jobs one agent may hold through the tool: a runaway model cannot fill the scheduler. */
export const MAX_TOOL_JOBS_PER_AGENT = 50;

const params = z.object({
  action: z.enum(["status", "list", "add", "update", "remove", "run", "runs"]),
  jobId: z.string().min(1).max(128).optional(),
  includeDisabled: z.boolean().optional(),
  job: z
    .object({
      name: z.string().max(200).optional(),
      description: z.string().max(2_000).optional(),
      schedule: scheduleSchema,
      payload: payloadSchema,
      sessionTarget: sessionTargetSchema.optional(),
      wakeMode: z.enum(["now", "next-heartbeat"]).optional(),
      delivery: deliverySchema.optional(),
      deleteAfterRun: z.boolean().optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
  // A job stays bound to the conversation it was made in: the model cannot point it at another.
  patch: jobPatchSchema.omit({ agentId: true, sessionKey: true }).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

/** Whether a session key is a scheduled run's (`agent:<id>:cron:<jobId>`). */
const isCronSession = (key: string) => /^agent:[^:]+:cron:/.test(key);

/**
 * OpenClaw's `cron` tool (group:automation): the model lists and manages the agent's own
 * jobs, so "remind me tomorrow at 9" works in chat. A job is pinned to the calling agent,
 * announces by default to the chat it was made in, and a scheduled run cannot make more.
 */
export function createCronTool(cron: () => CronService): AgentTool {
  return defineTool({
    name: "cron",
    group: "automation",
    description:
      "Manage scheduled jobs (reminders, recurring tasks). Actions: status, list, add (job: {schedule: " +
      '{kind:"at",at:ISO} | {kind:"every",everyMs} | {kind:"cron",expr,tz}, payload: {kind:"agentTurn",message}}), ' +
      "update (jobId, patch), remove (jobId), run (jobId), runs (jobId). sessionTarget: current (default for agentTurn: " +
      "runs with this conversation's recent messages and answers here), isolated (no context), main (systemEvent). " +
      "Replies of a job go to this chat unless delivery says otherwise.",
    params,
    async execute(p, ctx) {
      const service = cron();
      const own = (id: string | undefined): CronJob => {
        const job = id ? service.get(id) : undefined;
        if (!job || (job.agentId ?? ctx.agentId) !== ctx.agentId)
          throw new JobInputError(`no job ${id ?? "(jobId missing)"} for this agent`);
        return job;
      };
      try {
        switch (p.action) {
          case "status":
            return json(service.status());
          case "list":
            return json(
              service
                .list({ includeDisabled: p.includeDisabled ?? false })
                .filter((j) => (j.agentId ?? ctx.agentId) === ctx.agentId),
            );
          case "add":
            return json(add(service, p.job, ctx));
          case "update":
            if (p.patch?.schedule) checkInterval(p.patch.schedule);
            checkSessionTarget(p.patch?.sessionTarget);
            return json(service.update(own(p.jobId).id, p.patch ?? {}));
          case "remove":
            return json({ removed: service.remove(own(p.jobId).id) });
          case "run":
            return json(service.run(own(p.jobId).id));
          case "runs":
            return json(service.runs(own(p.jobId).id, p.limit ?? 10));
        }
      } catch (err) {
        if (err instanceof JobInputError || err instanceof ScheduleError) return text(err.message, true);
        throw err;
      }
    },
  });
}

function add(service: CronService, job: z.infer<typeof params>["job"], ctx: ToolContext): CronJob {
  if (!job) throw new JobInputError("add needs job: {schedule, payload}");
  if (isCronSession(ctx.sessionKey)) {
    throw new JobInputError("a scheduled run cannot create jobs: ask in chat instead");
  }
  checkInterval(job.schedule);
  checkSessionTarget(job.sessionTarget);
  const mine = service.list({ includeDisabled: true }).filter((j) => j.agentId === ctx.agentId).length;
  if (mine >= MAX_TOOL_JOBS_PER_AGENT) {
    throw new JobInputError(
      `this agent already has ${MAX_TOOL_JOBS_PER_AGENT} jobs (the limit): remove one first`,
    );
  }
  // Default delivery: back to the chat the job was made in (OpenClaw's "where it was created").
  const delivery =
    job.delivery ??
    (job.payload.kind === "agentTurn" && ctx.replyTo
      ? {
          mode: "announce" as const,
          channel: ctx.replyTo.channel,
          to: ctx.replyTo.to,
          ...(ctx.replyTo.accountId ? { accountId: ctx.replyTo.accountId } : {}),
        }
      : undefined);
  // OpenClaw: an agent turn made in chat belongs to that chat (`current`) unless it asks for isolated.
  const bound = job.payload.kind === "agentTurn" && (job.sessionTarget ?? "current") === "current";
  return service.add({
    ...job,
    agentId: ctx.agentId,
    ...(bound ? { sessionTarget: "current" as const, sessionKey: ctx.sessionKey } : {}),
    ...(delivery ? { delivery } : {}),
  });
}

/**
 * The model may name its own `session:<name>` sessions, never a full session key: a message
 * injected in a group chat must not schedule turns in the owner's DM or another agent's session.
 */
function checkSessionTarget(target: string | undefined): void {
  if (target?.toLowerCase().startsWith("session:agent:")) {
    throw new JobInputError(
      'sessionTarget "session:<name>" takes a plain name (e.g. "session:daily-standup"), not a session key',
    );
  }
}

function checkInterval(schedule: z.infer<typeof scheduleSchema>): void {
  if (schedule.kind === "every" && schedule.everyMs < MIN_TOOL_EVERY_MS) {
    throw new JobInputError(
      `schedule.everyMs must be at least ${MIN_TOOL_EVERY_MS} (one minute) for a job made in chat`,
    );
  }
}

const json = (value: unknown) => text(JSON.stringify(value, null, 2));
