import type { CronSchedule } from "./schedule.js";

/**
 * A scheduled job, in OpenClaw's shape (what `cron.list` answers and `cron.add` takes),
 * so OpenClaw's CLI and Control UI read ours unchanged.
 */
export interface CronJob {
  id: string;
  agentId?: string;
  name: string;
  description?: string;
  enabled: boolean;
  /** One-shot jobs are deleted after a successful run unless this is false. */
  deleteAfterRun?: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  schedule: CronSchedule;
  /**
   * OpenClaw's session targets: `main`, a system event into the main session; `isolated`, an
   * agent turn in a fresh `cron:<jobId>` session; `current`, the same detached turn with the
   * recent messages of the conversation the job was made in (`sessionKey`), its result
   * committed back there; `session:<key>`, a turn in that persistent session.
   */
  sessionTarget: SessionTarget;
  /** The conversation a `current` job belongs to (OpenClaw's field). */
  sessionKey?: string;
  wakeMode: "now" | "next-heartbeat";
  payload: CronPayload;
  delivery?: CronDelivery;
  /** Overrides `cron.failureAlert` for this job; `false` turns its alerts off. */
  failureAlert?: FailureAlertConfig | false;
  state: CronJobState;
}

export type SessionTarget = "main" | "isolated" | "current" | `session:${string}`;

/** `cron.failureAlert` and a job's `failureAlert` (OpenClaw's keys). */
export interface FailureAlertConfig {
  enabled?: boolean;
  /** Consecutive failed runs before the first alert. */
  after?: number;
  /** Least time between two alerts for one job. */
  cooldownMs?: number;
  /** Where the alert goes (absent: the job's own delivery channel and recipient). */
  channel?: string;
  to?: string;
  accountId?: string;
  /** `none` records failures without sending. */
  mode?: "announce" | "none";
  /** Skipped runs in a row count toward `after` too (an alert says the job keeps being skipped). */
  includeSkipped?: boolean;
}

export type CronPayload =
  | { kind: "systemEvent"; text: string }
  | { kind: "agentTurn"; message: string; model?: string; thinking?: string; timeoutSeconds?: number };

export interface CronDelivery {
  mode: "none" | "announce";
  channel?: string;
  to?: string;
  accountId?: string;
  /** A failed delivery does not fail the run (it is still recorded). */
  bestEffort?: boolean;
}

export type RunStatus = "ok" | "error" | "skipped" | "interrupted";
export type DeliveryStatus = "delivered" | "not-delivered" | "not-requested";

export interface CronJobState {
  nextRunAtMs?: number;
  runningAtMs?: number;
  lastRunAtMs?: number;
  lastStatus?: RunStatus;
  lastError?: string;
  lastDurationMs?: number;
  consecutiveErrors?: number;
  /** Runs recorded `skipped` in a row (alerts count them with `failureAlert.includeSkipped`). */
  consecutiveSkipped?: number;
  lastDeliveryStatus?: DeliveryStatus;
  lastDeliveryError?: string;
  /** When the last failure alert for this job went out (the cooldown runs from here). */
  lastFailureAlertAtMs?: number;
}

/** One run in the history (`cron.runs`), as OpenClaw's run log entries. */
export interface CronRunRecord {
  runId: string;
  jobId: string;
  jobName?: string;
  action: "started" | "finished";
  /** When it started. */
  ts: number;
  runAtMs: number;
  /** The occurrence it ran for (absent for a manual run). */
  scheduledAtMs?: number;
  /** `due` from the schedule, `catch-up` after a restart, `manual` from `cron.run`. */
  trigger: "due" | "catch-up" | "manual";
  status?: RunStatus;
  error?: string;
  summary?: string;
  durationMs?: number;
  finishedAtMs?: number;
  sessionKey?: string;
  deliveryStatus?: DeliveryStatus;
  deliveryError?: string;
  nextRunAtMs?: number;
}

/** What running a job's payload produced. */
export interface RunResult {
  status: "ok" | "error" | "skipped";
  error?: string;
  summary?: string;
  sessionKey?: string;
  deliveryStatus: DeliveryStatus;
  deliveryError?: string;
}

/** Runs one job's payload (agent turn or system event, then delivery). */
export type JobExecutor = (job: CronJob, run: { runId: string; signal: AbortSignal }) => Promise<RunResult>;

/** `cron` event payloads, broadcast to clients. */
export type CronEvent =
  | { action: "added" | "updated"; jobId: string; job: CronJob }
  | { action: "removed"; jobId: string }
  | { action: "started"; jobId: string; runId: string; runAtMs: number }
  | ({ action: "finished"; jobId: string } & CronRunRecord);
