import { z } from "zod";
import { jobInputSchema, jobPatchSchema } from "../../cron/input-schema.js";
import { JobInputError } from "../../cron/jobs.js";
import { cronListPage, deliveryPreview } from "../../cron/list-page.js";
import { ScheduleError } from "../../cron/schedule.js";
import type { CronService } from "../../cron/service.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { defineMethod } from "./types.js";

/**
 * Automations over the gateway, in OpenClaw's shapes (its CLI and Control UI call these):
 * jobs are read with `operator.read`, changed and run with `operator.admin` (a job runs
 * agent turns with the agent's tools, later, unattended).
 */

/** Most run records one `cron.runs` call returns. */
const MAX_RUNS_PAGE = 500;
/** Most jobs one `cron.list` page carries when asked (OpenClaw's CLI asks for 200; our MAX_JOBS is 10k). */
const MAX_LIST_PAGE = 10_000;

const listParams = z
  .object({
    includeDisabled: z.boolean().optional(),
    limit: z.number().int().min(1).max(MAX_LIST_PAGE).optional(),
    offset: z.number().int().min(0).optional(),
    agentId: z.string().min(1).max(64).optional(),
    query: z.string().max(200).optional(),
    /** OpenClaw's: `false` leaves out `deliveryPreviews`. */
    includeDeliveryPreviews: z.boolean().optional(),
  })
  .passthrough()
  .optional();

const jobId = z.string().min(1).max(128);
/** OpenClaw's clients send `id`; older ones `jobId`. */
const byId = z
  .object({ id: jobId.optional(), jobId: jobId.optional() })
  .refine((p) => p.id ?? p.jobId, { message: "id is required: the job id from cron.list" });
const idOf = (p: { id?: string; jobId?: string }) => (p.id ?? p.jobId)!;

/** A job input the user can fix answers INVALID_REQUEST with its one-sentence reason. */
function userError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof JobInputError || err instanceof ScheduleError) {
      throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, err.message);
    }
    throw err;
  }
}

export const cronMethods = {
  "cron.status": defineMethod({
    scope: "operator.read",
    params: z.object({}).optional(),
    handle: (_p, { gateway }) => ({ ...gateway.cron.service.status(), storePath: gateway.cron.storePath }),
  }),
  "cron.list": defineMethod({
    scope: "operator.read",
    params: listParams,
    handle: (p, { gateway }) => {
      const defaultAgentId = gateway.agents.defaultAgentId();
      const all = gateway.cron.service.list({ includeDisabled: p?.includeDisabled ?? false });
      const page = cronListPage(all, p ?? {}, defaultAgentId);
      const jobs = page.jobs.map((j) => ({ ...j, effectiveAgentId: j.agentId ?? defaultAgentId }));
      if (p?.includeDeliveryPreviews === false) return { ...page, jobs };
      const deliveryPreviews = Object.fromEntries(page.jobs.map((j) => [j.id, deliveryPreview(j)]));
      return { ...page, jobs, deliveryPreviews };
    },
  }),
  "cron.get": defineMethod({
    scope: "operator.read",
    params: byId,
    handle: (p, { gateway }) => userError(() => requireJob(gateway.cron.service, idOf(p))),
  }),
  "cron.add": defineMethod({
    scope: "operator.admin",
    params: jobInputSchema,
    handle: (p, { gateway }) => userError(() => gateway.cron.service.add(p)),
  }),
  "cron.update": defineMethod({
    scope: "operator.admin",
    params: z.intersection(byId, z.object({ patch: jobPatchSchema })),
    handle: (p, { gateway }) => userError(() => gateway.cron.service.update(idOf(p), p.patch)),
  }),
  "cron.remove": defineMethod({
    scope: "operator.admin",
    params: byId,
    handle: (p, { gateway }) => ({ ok: true, removed: gateway.cron.service.remove(idOf(p)) }),
  }),
  "cron.run": defineMethod({
    scope: "operator.admin",
    params: z.intersection(byId, z.object({ mode: z.enum(["due", "force"]).optional() })),
    handle: (p, { gateway }) => userError(() => gateway.cron.service.run(idOf(p), p.mode ?? "force")),
  }),
  "cron.runs": defineMethod({
    scope: "operator.read",
    params: z
      .object({
        id: jobId.optional(),
        jobId: jobId.optional(),
        limit: z.number().int().min(1).max(MAX_RUNS_PAGE).optional(),
      })
      .optional(),
    handle: (p, { gateway }) => ({ entries: gateway.cron.service.runs(p?.id ?? p?.jobId, p?.limit ?? 50) }),
  }),
};

/** Longest system-event text: a line for the agent, not a document. */
const MAX_EVENT_TEXT_CHARS = 20_000;
const wakeParams = z.object({
  text: z.string().min(1).max(MAX_EVENT_TEXT_CHARS),
  mode: z.enum(["now", "next-heartbeat"]).optional(),
  agentId: z.string().min(1).max(64).optional(),
});

/**
 * The heartbeat over the gateway (OpenClaw's names): `wake` / `system-event` put a line in
 * front of the agent (admin: it reads as the system speaking), `last-heartbeat` reads the
 * last outcome, `set-heartbeats` pauses or resumes.
 */
export const heartbeatMethods = {
  wake: defineMethod({
    scope: "operator.admin",
    params: wakeParams,
    handle: (p, { gateway }) => {
      const mode = p.mode ?? "now";
      gateway.cron.heartbeat.post(p.text, mode, p.agentId);
      return { ok: true, mode };
    },
  }),
  "system-event": defineMethod({
    scope: "operator.admin",
    params: wakeParams,
    handle: (p, { gateway }) => {
      const mode = p.mode ?? "next-heartbeat";
      gateway.cron.heartbeat.post(p.text, mode, p.agentId);
      return { ok: true, mode };
    },
  }),
  "last-heartbeat": defineMethod({
    scope: "operator.read",
    params: z.object({}).optional(),
    handle: (_p, { gateway }) => gateway.cron.heartbeat.lastEvent() ?? null,
  }),
  "set-heartbeats": defineMethod({
    scope: "operator.admin",
    params: z.object({ enabled: z.boolean() }),
    handle: (p, { gateway }) => {
      gateway.cron.heartbeat.setEnabled(p.enabled);
      return { ok: true, enabled: p.enabled };
    },
  }),
};

function requireJob(service: CronService, id: string) {
  const job = service.get(id);
  // OpenClaw's wording: its CLI tells "no such job" from a real failure by this text.
  if (!job)
    throw new JobInputError(`cron job not found: ${id}. List automations and retry with a current job id.`);
  return job;
}
