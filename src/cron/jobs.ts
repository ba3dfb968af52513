import { type CronSchedule, firstRunAt, nextRunAt, validateSchedule } from "./schedule.js";
import type {
  CronDelivery,
  CronJob,
  CronPayload,
  CronRunRecord,
  FailureAlertConfig,
  SessionTarget,
} from "./types.js";

/** OpenClaw's retry back-off for a recurring job after consecutive errors: 30s, 1m, 5m, 15m, 60m. */
export const ERROR_BACKOFF_MS = [30_000, 60_000, 300_000, 900_000, 3_600_000] as const;

/** What `cron.add` takes: a job without id, timestamps or state. */
export interface CronJobInput {
  name?: string;
  description?: string;
  agentId?: string;
  enabled?: boolean;
  deleteAfterRun?: boolean;
  schedule: CronSchedule;
  sessionTarget?: SessionTarget;
  /** The conversation a `current` job belongs to; given with an agent turn and no target, the target is `current`. */
  sessionKey?: string;
  wakeMode?: "now" | "next-heartbeat";
  payload: CronPayload;
  delivery?: CronDelivery;
  failureAlert?: FailureAlertConfig | false;
}

/** What `cron.update` takes: any field of the input; `payload` and `delivery` merge into the job's. */
export type CronJobPatch = Partial<Omit<CronJobInput, "payload" | "delivery">> & {
  payload?: Partial<CronPayload> & { kind?: CronPayload["kind"] };
  delivery?: Partial<CronDelivery>;
};

/** A job input a user can fix: the message names the field. */
export class JobInputError extends Error {}

/** A new job from `input`, its first run computed. */
export function buildJob(input: CronJobInput, id: string, nowMs: number): CronJob {
  validateSchedule(input.schedule);
  // OpenClaw's defaults: system events to main; an agent turn to the conversation it was made in, else isolated.
  const sessionTarget =
    input.sessionTarget ??
    (input.payload.kind === "systemEvent" ? "main" : input.sessionKey ? "current" : "isolated");
  checkTarget(sessionTarget, input.payload, input.sessionKey);
  const job: CronJob = {
    id,
    ...(input.agentId ? { agentId: input.agentId } : {}),
    name: input.name?.trim() || defaultName(input.payload),
    ...(input.description ? { description: input.description } : {}),
    enabled: input.enabled ?? true,
    // OpenClaw: one-shots are deleted after success unless --keep-after-run.
    ...(input.schedule.kind === "at" ? { deleteAfterRun: input.deleteAfterRun ?? true } : {}),
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    schedule: input.schedule,
    sessionTarget,
    ...(sessionTarget === "current" && input.sessionKey ? { sessionKey: input.sessionKey } : {}),
    wakeMode: input.wakeMode ?? "now",
    payload: input.payload,
    ...(input.delivery ? { delivery: input.delivery } : {}),
    ...(input.failureAlert !== undefined ? { failureAlert: input.failureAlert } : {}),
    state: {},
  };
  if (job.enabled) job.state.nextRunAtMs = firstRunAt(job.schedule, nowMs, nowMs);
  return job;
}

/** `job` with `patch` applied; the next run is recomputed when the schedule or `enabled` changed. */
export function patchJob(job: CronJob, patch: CronJobPatch, nowMs: number): CronJob {
  if (patch.schedule) validateSchedule(patch.schedule);
  const payload = mergePayload(job.payload, patch.payload);
  const next: CronJob = {
    ...job,
    ...definedFields(patch, [
      "name",
      "description",
      "agentId",
      "enabled",
      "deleteAfterRun",
      "wakeMode",
      "sessionTarget",
      "sessionKey",
    ]),
    ...(patch.schedule ? { schedule: patch.schedule } : {}),
    ...mergeFailureAlert(job.failureAlert, patch.failureAlert),
    payload,
    ...(patch.delivery ? { delivery: { mode: "announce", ...job.delivery, ...patch.delivery } } : {}),
    updatedAtMs: nowMs,
    state: { ...job.state },
  };
  checkTarget(next.sessionTarget, next.payload, next.sessionKey);
  if (patch.schedule || patch.enabled !== undefined) {
    const wasDisabled = !job.enabled;
    next.state.nextRunAtMs = !next.enabled
      ? undefined
      : patch.schedule || wasDisabled
        ? next.schedule.kind === "every" && next.schedule.anchorMs === undefined
          ? nowMs + next.schedule.everyMs
          : next.schedule.kind === "at"
            ? Date.parse(next.schedule.at)
            : nextRunAt(next.schedule, nowMs, next.createdAtMs)
        : next.state.nextRunAtMs;
    if (next.state.nextRunAtMs === undefined) delete next.state.nextRunAtMs;
  }
  return next;
}

/** A patch's failureAlert fields merge into the job's (`edit --failure-alert-after 5` keeps its channel); `false` turns it off. */
function mergeFailureAlert(
  current: CronJob["failureAlert"],
  patch: CronJobPatch["failureAlert"],
): Pick<CronJob, "failureAlert"> | Record<string, never> {
  if (patch === undefined) return {};
  if (patch === false || !current) return { failureAlert: patch };
  return { failureAlert: { ...current, ...patch } };
}

function mergePayload(current: CronPayload, patch: CronJobPatch["payload"]): CronPayload {
  if (!patch) return current;
  const kind = patch.kind ?? current.kind;
  const merged = (kind === current.kind ? { ...current, ...patch } : { ...patch }) as CronPayload;
  if (merged.kind === "systemEvent" && typeof merged.text !== "string") {
    throw new JobInputError("payload.text is required for a systemEvent payload");
  }
  if (merged.kind === "agentTurn" && typeof merged.message !== "string") {
    throw new JobInputError("payload.message is required for an agentTurn payload");
  }
  return merged;
}

function checkTarget(target: SessionTarget, payload: CronPayload, sessionKey: string | undefined): void {
  // OpenClaw's rule: the main session takes system events; isolated, current and session:<key> take agent turns.
  if (target === "main" && payload.kind !== "systemEvent") {
    throw new JobInputError(
      'sessionTarget "main" takes a systemEvent payload: use --system-event, or --session isolated',
    );
  }
  if (target !== "main" && payload.kind !== "agentTurn") {
    throw new JobInputError(
      `sessionTarget "${target}" takes an agentTurn payload: use --message, or --session main`,
    );
  }
  if (target === "current" && !sessionKey) {
    throw new JobInputError(
      'sessionTarget "current" needs the conversation it belongs to: create the job from that chat (the cron tool), or pass --session-key <key>',
    );
  }
}

function defaultName(payload: CronPayload): string {
  const text = payload.kind === "agentTurn" ? payload.message : payload.text;
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 40 ? `${line.slice(0, 39)}…` : line || "job";
}

function definedFields<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (obj[key] !== undefined) out[key] = obj[key];
  return out;
}

/** The job after a run: counters, error back-off, and deletion of a finished one-shot. */
export function settleJob(job: CronJob, record: CronRunRecord): CronJob | { deleted: string } {
  // An interruption is the gateway's doing, not the job's: no error count, no back-off.
  const failed = record.status === "error";
  if (job.schedule.kind === "at" && record.status === "ok" && job.deleteAfterRun !== false) {
    return { deleted: job.id };
  }
  const errors = failed ? (job.state.consecutiveErrors ?? 0) + 1 : 0;
  const skipped = record.status === "skipped" ? (job.state.consecutiveSkipped ?? 0) + 1 : 0;
  const state = {
    ...job.state,
    lastRunAtMs: record.runAtMs,
    lastStatus: record.status!,
    lastDurationMs: record.durationMs!,
    consecutiveErrors: errors,
    consecutiveSkipped: skipped,
    lastDeliveryStatus: record.deliveryStatus!,
  };
  delete state.runningAtMs;
  if (record.error) state.lastError = record.error;
  else delete state.lastError;
  if (record.deliveryError) state.lastDeliveryError = record.deliveryError;
  else delete state.lastDeliveryError;
  if (failed && job.schedule.kind !== "at" && state.nextRunAtMs !== undefined) {
    const backoff = ERROR_BACKOFF_MS[Math.min(errors, ERROR_BACKOFF_MS.length) - 1]!;
    state.nextRunAtMs = Math.max(state.nextRunAtMs, record.finishedAtMs! + backoff);
  }
  return { ...job, state };
}
