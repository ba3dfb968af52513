import { randomUUID } from "node:crypto";
import type { Logger } from "../infra/logger.js";
import type { Clock } from "./clock.js";
import type { FailureAlerter } from "./failure-alert.js";
import {
  buildJob,
  type CronJobInput,
  type CronJobPatch,
  JobInputError,
  patchJob,
  settleJob,
} from "./jobs.js";
import { cronJobIdOfSession, SessionReaper, type SessionReaperOptions } from "./retention.js";
import { nextRunAt } from "./schedule.js";
import type { CronStore } from "./store.js";
import type { CronEvent, CronJob, CronRunRecord, JobExecutor, RunResult } from "./types.js";

/**
 * OpenClaw's default per-run limit for a scheduled agent turn, in seconds: a turn that
 * hangs on a provider frees its slot for the next job.
 */
export const DEFAULT_RUN_TIMEOUT_SECONDS = 600;
/** Jobs one gateway keeps: past this, `cron.add` is refused (each job costs memory and a timer scan). */
export const MAX_JOBS = 10_000;
/** What a run cut short by a stopped or killed gateway is recorded with. */
export const INTERRUPTED_ERROR = "interrupted: the gateway stopped during this run; it was not run again";

export interface CronServiceOptions {
  store: CronStore;
  clock: Clock;
  execute: JobExecutor;
  /** Scheduled runs at once (`cron.maxConcurrentRuns`); more wait, in due order. */
  maxConcurrentRuns: () => number;
  onEvent?: (event: CronEvent) => void;
  log: Logger;
  newId?: () => string;
  /** Prunes `cron:<jobId>` run sessions past `cron.sessionRetention` (absent: sessions are kept). */
  sessions?: Pick<SessionReaperOptions, "retentionMs" | "stores">;
  /** Sends `failureAlert`s after consecutive failed runs (absent: failures are only recorded). */
  alerts?: FailureAlerter;
}

interface QueuedRun {
  jobId: string;
  runId: string;
}

/**
 * The scheduler: jobs in memory (written through to the store), one timer armed for the
 * earliest due job, no polling. Each occurrence runs at most once: its run is committed as
 * started, and the job's next occurrence moved past it, before the payload runs.
 */
export class CronService {
  private readonly jobs = new Map<string, CronJob>();
  private readonly running = new Map<string, { runId: string; controller: AbortController }>();
  private readonly manual: QueuedRun[] = [];
  private readonly catchUp = new Set<string>();
  private readonly waiters = new Map<string, ((run: CronRunRecord) => void)[]>();
  private cancelTimer: (() => void) | undefined;
  private nextWakeAtMs: number | undefined;
  private stopped = true;
  private readonly newId: () => string;
  /** The run-session pruner (on this service's clock; one timer of its own, armed only when a session expires). */
  readonly reaper: SessionReaper | undefined;

  constructor(private readonly opts: CronServiceOptions) {
    this.newId = opts.newId ?? randomUUID;
    this.reaper =
      opts.sessions &&
      new SessionReaper({
        ...opts.sessions,
        clock: opts.clock,
        running: () => new Set(this.running.keys()),
        log: opts.log,
      });
  }

  /** Loads the jobs, records runs a crash cut short as interrupted, and arms the timer; due jobs run once. */
  start(): void {
    const now = this.opts.clock.now();
    for (const job of this.opts.store.jobs()) this.jobs.set(job.id, job);
    for (const run of this.opts.store.unfinishedRuns()) this.recordInterrupted(run, now);
    for (const job of this.jobs.values()) {
      if (job.enabled && job.state.nextRunAtMs !== undefined && job.state.nextRunAtMs <= now) {
        this.catchUp.add(job.id);
      }
    }
    if (this.catchUp.size > 0)
      this.opts.log.info(`${this.catchUp.size} job(s) came due while stopped: running each once`);
    this.stopped = false;
    this.reaper?.start();
    this.tick();
  }

  /** Stops the timer and aborts running jobs (recorded as interrupted). */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.reaper?.stop();
    for (const run of this.running.values()) run.controller.abort(new Error(INTERRUPTED_ERROR));
  }

  list(opts: { includeDisabled?: boolean } = {}): CronJob[] {
    return [...this.jobs.values()]
      .filter((j) => j.enabled || opts.includeDisabled)
      .sort((a, b) => (a.state.nextRunAtMs ?? Infinity) - (b.state.nextRunAtMs ?? Infinity));
  }

  get(id: string): CronJob | undefined {
    return this.jobs.get(id);
  }

  status(): { enabled: boolean; jobs: number; running: number; nextWakeAtMs: number | null } {
    return {
      enabled: !this.stopped,
      jobs: this.jobs.size,
      running: this.running.size,
      nextWakeAtMs: this.nextWakeAtMs ?? null,
    };
  }

  add(input: CronJobInput): CronJob {
    if (this.jobs.size >= MAX_JOBS) {
      throw new JobInputError(`this gateway already has ${MAX_JOBS} jobs (the limit): remove some first`);
    }
    const job = buildJob(input, this.newId(), this.opts.clock.now());
    this.opts.store.putJob(job);
    this.jobs.set(job.id, job);
    this.emit({ action: "added", jobId: job.id, job });
    this.arm();
    return job;
  }

  update(id: string, patch: CronJobPatch): CronJob {
    const job = this.require(id);
    const next = patchJob(job, patch, this.opts.clock.now());
    this.opts.store.putJob(next);
    this.jobs.set(id, next);
    this.emit({ action: "updated", jobId: id, job: next });
    this.arm();
    return next;
  }

  remove(id: string): boolean {
    if (!this.jobs.has(id)) return false;
    this.opts.store.deleteJob(id);
    this.jobs.delete(id);
    this.catchUp.delete(id);
    this.running.get(id)?.controller.abort(new Error("the job was removed during its run"));
    this.emit({ action: "removed", jobId: id });
    this.arm();
    return true;
  }

  /**
   * Queues a run now (`force`), or only when the job is due (`due`). Answers at once with
   * the run id; `whenFinished` (or `cron.runs`) gives the outcome.
   */
  run(
    id: string,
    mode: "force" | "due" = "force",
  ): { ok: true; enqueued: boolean; runId?: string; reason?: string } {
    const job = this.require(id);
    if (this.running.has(id) || this.manual.some((q) => q.jobId === id)) {
      return { ok: true, enqueued: false, reason: "already-running" };
    }
    const due = job.state.nextRunAtMs !== undefined && job.state.nextRunAtMs <= this.opts.clock.now();
    if (mode === "due" && !due) return { ok: true, enqueued: false, reason: "not-due" };
    const runId = this.newId();
    this.manual.push({ jobId: id, runId });
    this.tick();
    return { ok: true, enqueued: true, runId };
  }

  /** Resolves with the run's record when it finishes. */
  whenFinished(runId: string): Promise<CronRunRecord> {
    const done = this.opts.store
      .runs(undefined, MAX_LOOKBACK)
      .find((r) => r.runId === runId && r.action === "finished");
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  runs(jobId: string | undefined, limit: number): CronRunRecord[] {
    return this.opts.store.runs(jobId, limit);
  }

  private require(id: string): CronJob {
    const job = this.jobs.get(id);
    if (!job) throw new JobInputError(`no job with id ${id}: see openclaw cron list`);
    return job;
  }

  /** Starts what is due, up to the concurrency cap (manual runs first), then re-arms. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.opts.clock.now();
    let free = Math.max(1, this.opts.maxConcurrentRuns()) - this.running.size;
    while (free > 0 && this.manual.length > 0) {
      const queued = this.manual.shift()!;
      const job = this.jobs.get(queued.jobId);
      if (!job || this.running.has(job.id)) continue;
      this.begin(job, "manual", queued.runId, undefined);
      free--;
    }
    if (free > 0) {
      for (const job of this.dueJobs(now)) {
        if (free-- <= 0) break;
        const trigger = this.catchUp.delete(job.id) ? "catch-up" : "due";
        this.begin(job, trigger, this.newId(), job.state.nextRunAtMs);
      }
    }
    this.arm();
  }

  private dueJobs(now: number): CronJob[] {
    const due: CronJob[] = [];
    for (const job of this.jobs.values()) {
      const at = job.state.nextRunAtMs;
      if (job.enabled && at !== undefined && at <= now && !this.running.has(job.id)) due.push(job);
    }
    return due.sort((a, b) => a.state.nextRunAtMs! - b.state.nextRunAtMs!);
  }

  /** One timer for the earliest due job (none while every slot is busy: a finishing run ticks). */
  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.nextWakeAtMs = undefined;
    if (this.stopped) return;
    let earliest = Infinity;
    for (const job of this.jobs.values()) {
      const at = job.state.nextRunAtMs;
      if (job.enabled && at !== undefined && at < earliest && !this.running.has(job.id)) earliest = at;
    }
    if (this.manual.length > 0) earliest = Math.min(earliest, this.opts.clock.now());
    if (earliest === Infinity) return;
    if (this.running.size >= Math.max(1, this.opts.maxConcurrentRuns())) return;
    this.nextWakeAtMs = earliest;
    this.cancelTimer = this.opts.clock.setTimer(
      () => this.tick(),
      Math.max(0, earliest - this.opts.clock.now()),
    );
  }

  /** Commits the run as started (and the job's next occurrence past it), then runs the payload. */
  private begin(
    job: CronJob,
    trigger: CronRunRecord["trigger"],
    runId: string,
    scheduledAtMs?: number,
  ): void {
    const now = this.opts.clock.now();
    const state = { ...job.state, runningAtMs: now };
    if (trigger !== "manual") {
      // Missed occurrences are skipped: the next one is the first after now (a catch-up runs once).
      const next = job.schedule.kind === "at" ? undefined : nextRunAt(job.schedule, now, job.createdAtMs);
      if (next === undefined) delete state.nextRunAtMs;
      else state.nextRunAtMs = next;
    }
    const started: CronJob = { ...job, state };
    const record: CronRunRecord = {
      runId,
      jobId: job.id,
      jobName: job.name,
      action: "started",
      ts: now,
      runAtMs: now,
      ...(scheduledAtMs !== undefined ? { scheduledAtMs } : {}),
      trigger,
    };
    this.opts.store.recordStart(started, record);
    this.jobs.set(job.id, started);
    const controller = new AbortController();
    this.running.set(job.id, { runId, controller });
    this.opts.log.info(`job ${job.id} run ${runId} started (${trigger})`);
    this.emit({ action: "started", jobId: job.id, runId, runAtMs: now });
    void this.execute(started, record, controller).then((result) => this.finish(job.id, record, result));
  }

  /** The payload under its timeout; never rejects. */
  private async execute(
    job: CronJob,
    record: CronRunRecord,
    controller: AbortController,
  ): Promise<RunResult> {
    const seconds =
      (job.payload.kind === "agentTurn" ? job.payload.timeoutSeconds : undefined) ??
      DEFAULT_RUN_TIMEOUT_SECONDS;
    const cancelTimeout = this.opts.clock.setTimer(
      () => controller.abort(new Error(`timed out after ${seconds} s (payload.timeoutSeconds)`)),
      seconds * 1000,
    );
    const aborted = new Promise<RunResult>((resolve) =>
      controller.signal.addEventListener("abort", () =>
        resolve({
          status: "error",
          error: (controller.signal.reason as Error).message,
          deliveryStatus: "not-delivered",
        }),
      ),
    );
    try {
      return await Promise.race([
        this.opts.execute(job, { runId: record.runId, signal: controller.signal }),
        aborted,
      ]);
    } catch (err) {
      return { status: "error", error: (err as Error).message, deliveryStatus: "not-delivered" };
    } finally {
      cancelTimeout();
    }
  }

  private finish(jobId: string, started: CronRunRecord, result: RunResult): void {
    this.running.delete(jobId);
    const now = this.opts.clock.now();
    const interrupted = this.stopped && result.status === "error";
    const record: CronRunRecord = {
      ...started,
      action: "finished",
      status: interrupted ? "interrupted" : result.status,
      ...(result.error ? { error: interrupted ? INTERRUPTED_ERROR : result.error } : {}),
      ...(result.summary ? { summary: result.summary } : {}),
      ...(result.sessionKey ? { sessionKey: result.sessionKey } : {}),
      deliveryStatus: result.deliveryStatus,
      ...(result.deliveryError ? { deliveryError: result.deliveryError } : {}),
      durationMs: now - started.runAtMs,
      finishedAtMs: now,
    };
    // An isolated run's session now expires at now + retention: a sweep must come then.
    if (record.sessionKey && cronJobIdOfSession(record.sessionKey)) this.reaper?.sessionUsed(now);
    const job = this.jobs.get(jobId);
    const outcome = job ? settleJob(job, record) : { deleted: jobId };
    if ("id" in outcome) {
      // Stamped before the commit, so the cooldown holds across a restart.
      if (this.opts.alerts?.maybeAlert(outcome, record, now)) outcome.state.lastFailureAlertAtMs = now;
      this.jobs.set(jobId, outcome);
      if (outcome.state.nextRunAtMs !== undefined) record.nextRunAtMs = outcome.state.nextRunAtMs;
    } else this.jobs.delete(jobId);
    try {
      this.opts.store.recordFinish(outcome, record);
    } catch (err) {
      // The started row stays open: the next start records it as interrupted.
      this.opts.log.error(`could not record the end of run ${record.runId}: ${(err as Error).message}`);
    }
    this.opts.log.info(
      `job ${jobId} run ${record.runId} finished: ${record.status} (delivery ${record.deliveryStatus})${record.error ? `: ${record.error}` : ""}`,
    );
    if (job && !("id" in outcome)) this.emit({ action: "removed", jobId });
    this.emit({ ...record, action: "finished", jobId });
    for (const resolve of this.waiters.get(record.runId) ?? []) resolve(record);
    this.waiters.delete(record.runId);
    this.tick();
  }

  /** A run a crash cut short: recorded as interrupted, never re-run (its occurrence was consumed). */
  private recordInterrupted(run: CronRunRecord, now: number): void {
    const record: CronRunRecord = {
      ...run,
      action: "finished",
      status: "interrupted",
      error: INTERRUPTED_ERROR,
      deliveryStatus: "not-delivered",
      finishedAtMs: now,
      durationMs: Math.max(0, now - run.runAtMs),
    };
    const job = this.jobs.get(run.jobId);
    const outcome = job ? settleJob(job, record) : { deleted: run.jobId };
    if ("id" in outcome) this.jobs.set(outcome.id, outcome);
    this.opts.store.recordFinish(outcome, record);
    this.opts.log.warn(
      `run ${run.runId} of job ${run.jobId} was interrupted by a restart; recorded, not re-run`,
    );
  }

  private emit(event: CronEvent): void {
    try {
      this.opts.onEvent?.(event);
    } catch (err) {
      this.opts.log.warn(`a cron event listener failed: ${(err as Error).message}`);
    }
  }
}

/** How far back `whenFinished` looks for a run that already ended. */
const MAX_LOOKBACK = 1_000;
