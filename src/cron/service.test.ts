import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../infra/logger.js";
import { FakeClock, settle } from "./fake-clock.test-helper.js";
import { ERROR_BACKOFF_MS } from "./jobs.js";
import { CronService, INTERRUPTED_ERROR } from "./service.js";
import { CronStore } from "./store.js";
import type { CronEvent, CronJob, JobExecutor, RunResult } from "./types.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const T0 = Date.parse("2026-06-01T08:00:00Z");

/** An executor whose runs the test finishes by hand (or at once with `auto`). */
class Runs {
  started: { job: CronJob; runId: string; signal: AbortSignal; finish: (r?: Partial<RunResult>) => void }[] =
    [];
  auto: Partial<RunResult> | undefined = { status: "ok" };
  readonly execute: JobExecutor = (job, run) =>
    new Promise((resolve) => {
      const finish = (r: Partial<RunResult> = {}) =>
        resolve({ status: "ok", deliveryStatus: "not-requested", ...r });
      this.started.push({ job, ...run, finish });
      if (this.auto) finish(this.auto);
    });
  count(jobId: string): number {
    return this.started.filter((s) => s.job.id === jobId).length;
  }
}

let dir: string;
let file: string;
let clock: FakeClock;
let runs: Runs;
let events: CronEvent[];
const services: CronService[] = [];

function open(opts: { maxConcurrentRuns?: number } = {}): CronService {
  const service = new CronService({
    store: CronStore.open(file),
    clock,
    execute: runs.execute,
    maxConcurrentRuns: () => opts.maxConcurrentRuns ?? 1,
    onEvent: (e) => events.push(e),
    log: quiet,
  });
  service.start();
  services.push(service);
  return service;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "cron-"));
  file = path.join(dir, "cron", "cron.sqlite");
  clock = new FakeClock(T0);
  runs = new Runs();
  events = [];
});
afterEach(() => {
  for (const s of services.splice(0)) s.stop();
  rmSync(dir, { recursive: true, force: true });
});

const message = (text: string) => ({ kind: "agentTurn" as const, message: text });

describe("scheduling on a fake clock", () => {
  it("a one-shot runs once at its time and is then deleted", async () => {
    const cron = open();
    const job = cron.add({
      schedule: { kind: "at", at: new Date(T0 + 2_000).toISOString() },
      payload: message("hi"),
    });
    await clock.advance(1_999);
    expect(runs.count(job.id)).toBe(0);
    await clock.advance(1);
    expect(runs.count(job.id)).toBe(1);
    expect(cron.get(job.id)).toBeUndefined();
    await clock.advance(86_400_000);
    expect(runs.count(job.id)).toBe(1);
    expect(cron.runs(job.id, 10)).toMatchObject([
      { status: "ok", trigger: "due", scheduledAtMs: T0 + 2_000 },
    ]);
  });

  it("--keep-after-run keeps a one-shot, with no next run", async () => {
    const cron = open();
    const job = cron.add({
      schedule: { kind: "at", at: new Date(T0 + 1_000).toISOString() },
      payload: message("hi"),
      deleteAfterRun: false,
    });
    await clock.advance(1_000);
    expect(cron.get(job.id)?.state).toMatchObject({ lastStatus: "ok" });
    expect(cron.get(job.id)?.state.nextRunAtMs).toBeUndefined();
  });

  it("an interval fires on its phase, one timer for all jobs", async () => {
    const cron = open({ maxConcurrentRuns: 5 });
    const a = cron.add({ schedule: { kind: "every", everyMs: 60_000 }, payload: message("a") });
    const b = cron.add({ schedule: { kind: "every", everyMs: 90_000 }, payload: message("b") });
    expect(clock.pending()).toBe(1);
    await clock.advance(180_000);
    expect(runs.count(a.id)).toBe(3);
    expect(runs.count(b.id)).toBe(2);
    expect(clock.pending()).toBe(1);
  });

  it("a disabled job does not run; enabling it schedules it from now", async () => {
    const cron = open();
    const job = cron.add({
      schedule: { kind: "every", everyMs: 60_000 },
      payload: message("a"),
      enabled: false,
    });
    await clock.advance(600_000);
    expect(runs.count(job.id)).toBe(0);
    cron.update(job.id, { enabled: true });
    await clock.advance(60_000);
    expect(runs.count(job.id)).toBe(1);
  });

  it("maxConcurrentRuns holds later jobs until a slot frees, in due order", async () => {
    runs.auto = undefined;
    const cron = open({ maxConcurrentRuns: 1 });
    const a = cron.add({ schedule: { kind: "every", everyMs: 10_000 }, payload: message("a") });
    const b = cron.add({ schedule: { kind: "every", everyMs: 10_000 }, payload: message("b") });
    await clock.advance(10_000);
    expect(runs.started.map((s) => s.job.id)).toEqual([a.id]);
    expect(cron.status().running).toBe(1);
    runs.started[0]!.finish();
    await settle();
    expect(runs.started.map((s) => s.job.id)).toEqual([a.id, b.id]);
  });

  it("a run past its timeout is aborted and recorded as an error", async () => {
    runs.auto = undefined;
    const cron = open();
    const job = cron.add({
      schedule: { kind: "every", everyMs: 60_000 },
      payload: { kind: "agentTurn", message: "slow", timeoutSeconds: 5 },
    });
    await clock.advance(60_000);
    await clock.advance(5_000);
    expect(runs.started[0]!.signal.aborted).toBe(true);
    expect(cron.runs(job.id, 1)[0]).toMatchObject({
      status: "error",
      error: expect.stringMatching(/timed out after 5 s/),
    });
  });

  it("consecutive errors back off (30s, 1m, …) and a success resets the count", async () => {
    runs.auto = { status: "error", error: "provider down" };
    const cron = open();
    const job = cron.add({ schedule: { kind: "every", everyMs: 1_000 }, payload: message("a") });
    await clock.advance(1_000);
    expect(cron.get(job.id)!.state).toMatchObject({
      consecutiveErrors: 1,
      nextRunAtMs: T0 + 1_000 + ERROR_BACKOFF_MS[0],
    });
    await clock.advanceTo(T0 + 1_000 + ERROR_BACKOFF_MS[0]);
    expect(cron.get(job.id)!.state.consecutiveErrors).toBe(2);
    runs.auto = { status: "ok" };
    await clock.advance(ERROR_BACKOFF_MS[1]);
    expect(cron.get(job.id)!.state).toMatchObject({ consecutiveErrors: 0, lastStatus: "ok" });
  });

  it("a manual run goes now, once, and does not move the schedule", async () => {
    const cron = open();
    const job = cron.add({ schedule: { kind: "every", everyMs: 3_600_000 }, payload: message("a") });
    const next = cron.get(job.id)!.state.nextRunAtMs;
    const queued = cron.run(job.id);
    expect(queued).toMatchObject({ ok: true, enqueued: true });
    const record = await cron.whenFinished(queued.runId!);
    expect(record).toMatchObject({ status: "ok", trigger: "manual" });
    expect(cron.get(job.id)!.state.nextRunAtMs).toBe(next);
    expect(cron.run(job.id, "due")).toMatchObject({ enqueued: false, reason: "not-due" });
  });

  it("emits cron events for add, start, finish and remove", async () => {
    const cron = open();
    const job = cron.add({
      schedule: { kind: "at", at: new Date(T0 + 1_000).toISOString() },
      payload: message("a"),
    });
    await clock.advance(1_000);
    expect(events.map((e) => e.action)).toEqual(["added", "started", "removed", "finished"]);
    expect(events.every((e) => e.jobId === job.id)).toBe(true);
  });
});

describe("across restarts", () => {
  it("jobs, their next run and history survive a restart", async () => {
    const first = open();
    const job = first.add({ schedule: { kind: "every", everyMs: 60_000 }, payload: message("a") });
    await clock.advance(60_000);
    first.stop();
    const second = open();
    expect(second.get(job.id)?.state.nextRunAtMs).toBe(T0 + 120_000);
    expect(second.runs(job.id, 10)).toHaveLength(1);
    await clock.advance(60_000);
    expect(runs.count(job.id)).toBe(2);
  });

  it("a job due while the gateway was down runs once on start, however many occurrences it missed", async () => {
    const first = open();
    const job = first.add({ schedule: { kind: "every", everyMs: 60_000 }, payload: message("a") });
    first.stop();
    await clock.advance(3_600_000); // an hour down: 60 occurrences missed
    const second = open();
    await settle();
    expect(runs.count(job.id)).toBe(1);
    expect(second.runs(job.id, 10)).toMatchObject([{ trigger: "catch-up", status: "ok" }]);
    expect(second.get(job.id)!.state.nextRunAtMs).toBe(T0 + 3_660_000);
  });

  it("a missed one-shot runs once on start and is deleted", async () => {
    const first = open();
    const job = first.add({
      schedule: { kind: "at", at: new Date(T0 + 1_000).toISOString() },
      payload: message("a"),
    });
    first.stop();
    await clock.advance(10_000);
    const second = open();
    await settle();
    expect(runs.count(job.id)).toBe(1);
    expect(second.get(job.id)).toBeUndefined();
  });

  it("a run cut short by a crash is recorded as interrupted and not run again; the next occurrence runs once", async () => {
    runs.auto = undefined;
    const first = open();
    const job = first.add({ schedule: { kind: "every", everyMs: 60_000 }, payload: message("a") });
    await clock.advance(60_000);
    expect(runs.count(job.id)).toBe(1);
    // A crash: the process dies with the run open (no stop(), no finish); the file is all that is left.
    services.splice(services.indexOf(first), 1);
    (first as unknown as { stopped: boolean }).stopped = true;
    await clock.advance(10_000);
    runs.auto = { status: "ok" };
    const second = open();
    await settle();
    expect(runs.count(job.id)).toBe(1);
    const [interrupted] = second.runs(job.id, 10);
    expect(interrupted).toMatchObject({
      status: "interrupted",
      error: INTERRUPTED_ERROR,
      scheduledAtMs: T0 + 60_000,
    });
    await clock.advanceTo(T0 + 120_000);
    expect(runs.count(job.id)).toBe(2);
    expect(second.runs(job.id, 10).map((r) => r.status)).toEqual(["ok", "interrupted"]);
  });

  it("an interrupted one-shot is not replayed", async () => {
    runs.auto = undefined;
    const first = open();
    const job = first.add({
      schedule: { kind: "at", at: new Date(T0 + 1_000).toISOString() },
      payload: message("a"),
    });
    await clock.advance(1_000);
    services.splice(services.indexOf(first), 1);
    (first as unknown as { stopped: boolean }).stopped = true;
    const second = open();
    await clock.advance(86_400_000);
    expect(runs.count(job.id)).toBe(1);
    expect(second.get(job.id)!.state).toMatchObject({ lastStatus: "interrupted" });
  });
});

describe("input errors name what to change", () => {
  it.each([
    [{ schedule: { kind: "every", everyMs: 5 }, payload: message("a") }, /everyMs/],
    [
      { schedule: { kind: "every", everyMs: 60_000 }, sessionTarget: "main", payload: message("a") },
      /systemEvent/,
    ],
    [{ schedule: { kind: "cron", expr: "0 7 * * *", tz: "Nowhere/City" }, payload: message("a") }, /IANA/],
    [
      { schedule: { kind: "every", everyMs: 60_000 }, sessionTarget: "current", payload: message("a") },
      /"current" needs the conversation it belongs to: .*--session-key/,
    ],
    [
      {
        schedule: { kind: "every", everyMs: 60_000 },
        sessionTarget: "session:daily",
        payload: { kind: "systemEvent", text: "x" },
      },
      /sessionTarget "session:daily" takes an agentTurn payload/,
    ],
  ])("%j", (input, error) => {
    const cron = open();
    expect(() => cron.add(input as never)).toThrow(error);
  });

  it("an agent turn with a sessionKey and no target belongs to that conversation (current), as in OpenClaw", () => {
    const cron = open();
    const job = cron.add({
      schedule: { kind: "every", everyMs: 60_000 },
      sessionKey: "agent:main:telegram:direct:5",
      payload: message("a"),
    });
    expect(job).toMatchObject({ sessionTarget: "current", sessionKey: "agent:main:telegram:direct:5" });
    expect(
      cron.add({ schedule: { kind: "every", everyMs: 60_000 }, payload: message("b") }).sessionTarget,
    ).toBe("isolated");
  });

  it("an unknown id", () => {
    expect(() => open().update("nope", { enabled: false })).toThrow(/no job with id nope/);
  });
});
