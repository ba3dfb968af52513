import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../infra/logger.js";
import { SessionStore } from "../sessions/store.js";
import { FakeClock } from "./fake-clock.test-helper.js";
import {
  cronJobIdOfSession,
  DEFAULT_SESSION_RETENTION_MS,
  MIN_SWEEP_GAP_MS,
  pruneCronSessions,
  resolveSessionRetention,
} from "./retention.js";
import { CronService } from "./service.js";
import { CronStore } from "./store.js";
import type { JobExecutor } from "./types.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const T0 = Date.parse("2026-06-01T08:00:00Z");
const HOUR = 3_600_000;

let dir: string;
let clock: FakeClock;
let sessions: SessionStore;
const services: CronService[] = [];
let onFinished: (() => void) | undefined;

/** Like the real executor: an isolated run (re)uses `agent:main:cron:<jobId>`, last used now. */
const execute: JobExecutor = async (job) => {
  const sessionKey = `agent:main:cron:${job.id}`;
  await sessions.ensure(sessionKey);
  sessions.update(sessionKey, { updatedAt: clock.now() });
  return { status: "ok", sessionKey, deliveryStatus: "not-requested" };
};

function open(retention: string | false | undefined): CronService {
  const service = new CronService({
    store: CronStore.open(path.join(dir, "cron", "cron.sqlite")),
    clock,
    execute,
    maxConcurrentRuns: () => 1,
    log: quiet,
    onEvent: (e) => {
      if (e.action === "finished") onFinished?.();
    },
    sessions: {
      retentionMs: () => resolveSessionRetention(retention),
      stores: async () => [sessions],
    },
  });
  service.start();
  services.push(service);
  return service;
}

async function session(key: string, updatedAt: number, label?: string): Promise<void> {
  await sessions.ensure(key, label ? { label } : {});
  sessions.update(key, { updatedAt });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cron-retention-"));
  clock = new FakeClock(T0);
  sessions = await SessionStore.open(path.join(dir, "sessions"), quiet);
});
afterEach(() => {
  for (const s of services.splice(0)) s.stop();
  sessions.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("cron.sessionRetention", () => {
  it("parses OpenClaw's values: default 24h, a duration, false keeps; anything else is refused", () => {
    expect(resolveSessionRetention(undefined)).toBe(DEFAULT_SESSION_RETENTION_MS);
    expect(DEFAULT_SESSION_RETENTION_MS).toBe(24 * HOUR);
    expect(resolveSessionRetention("7d")).toBe(7 * 24 * HOUR);
    expect(resolveSessionRetention(false)).toBeUndefined();
    expect(() => resolveSessionRetention("soon")).toThrow(/cron.sessionRetention "soon" is not a duration/);
    expect(() => resolveSessionRetention("0h")).toThrow(/not a duration/);
  });

  it("knows a run session key from any other", () => {
    expect(cronJobIdOfSession("agent:main:cron:abc")).toBe("abc");
    expect(cronJobIdOfSession("agent:main:cron:abc:run:r1")).toBe("abc");
    expect(cronJobIdOfSession("agent:main:main")).toBeUndefined();
    expect(cronJobIdOfSession("agent:main:discord:channel:cron:x")).toBeUndefined();
  });

  it("deletes a run session once it is older than the retention, on one timer, and nothing else", async () => {
    await session("agent:main:main", T0 - 30 * 24 * HOUR);
    await session("agent:main:telegram:direct:42", T0 - 30 * 24 * HOUR, "my :cron: notes");
    const cron = open("24h");
    // The first sweep comes a minute after start (start-up itself opens no session store).
    await clock.advance(MIN_SWEEP_GAP_MS);
    await cron.reaper!.idle();
    // Nothing to prune and no run session: no timer at all (no polling).
    expect(cron.reaper!.nextSweepAtMs()).toBeUndefined();
    expect(clock.pending()).toBe(0);

    const job = cron.add({
      schedule: { kind: "at", at: new Date(T0 + 120_000).toISOString() },
      payload: { kind: "agentTurn", message: "hi" },
    });
    const finished = new Promise<void>((resolve) => {
      onFinished = resolve;
    });
    await clock.advance(60_000);
    await finished;
    const key = `agent:main:cron:${job.id}`;
    expect(sessions.get(key)).toBeDefined();
    expect(cron.get(job.id)).toBeUndefined(); // the one-shot is gone; its session is left to the reaper
    expect(cron.reaper!.nextSweepAtMs()).toBe(T0 + 120_000 + 24 * HOUR);
    expect(clock.pending()).toBe(1);

    await clock.advance(24 * HOUR - 1);
    await cron.reaper!.idle();
    expect(sessions.get(key)).toBeDefined();
    await clock.advance(1);
    await cron.reaper!.idle();
    expect(sessions.get(key)).toBeUndefined();
    expect(sessions.get("agent:main:main")).toBeDefined();
    expect(sessions.get("agent:main:telegram:direct:42")).toBeDefined();
    // The transcript is archived like sessions.delete does, not destroyed.
    expect(readdirSync(path.join(dir, "sessions")).some((f) => f.includes(".jsonl.deleted."))).toBe(true);
    expect(cron.reaper!.nextSweepAtMs()).toBeUndefined();
    expect(clock.pending()).toBe(0);
  });

  it("prunes sessions that expired while the gateway was down at start, and re-arms for the next one", async () => {
    await session("agent:main:cron:old", T0 - 2 * 24 * HOUR);
    await session("agent:main:cron:recent", T0 - HOUR);
    const cron = open(undefined);
    await clock.advance(MIN_SWEEP_GAP_MS - 1);
    expect(sessions.get("agent:main:cron:old")).toBeDefined();
    await clock.advance(1);
    await cron.reaper!.idle();
    expect(sessions.get("agent:main:cron:old")).toBeUndefined();
    expect(sessions.get("agent:main:cron:recent")).toBeDefined();
    expect(cron.reaper!.nextSweepAtMs()).toBe(T0 - HOUR + 24 * HOUR);
    await clock.advance(23 * HOUR);
    await cron.reaper!.idle();
    expect(sessions.get("agent:main:cron:recent")).toBeUndefined();
  });

  it("batches sessions expiring moments apart into one sweep, at most one a minute", async () => {
    await session("agent:main:cron:a", T0 - 24 * HOUR + 10_000);
    await session("agent:main:cron:b", T0 - 24 * HOUR + 20_000);
    const cron = open("24h");
    await clock.advance(0);
    await cron.reaper!.idle();
    expect(cron.reaper!.nextSweepAtMs()).toBe(T0 + MIN_SWEEP_GAP_MS);
    await clock.advance(MIN_SWEEP_GAP_MS - 1);
    expect(sessions.get("agent:main:cron:a")).toBeDefined();
    await clock.advance(1);
    await cron.reaper!.idle();
    expect(sessions.get("agent:main:cron:a")).toBeUndefined();
    expect(sessions.get("agent:main:cron:b")).toBeUndefined();
    expect(cron.reaper!.nextSweepAtMs()).toBeUndefined();
  });

  it("keeps the session of a job that is running, and keeps everything with false", async () => {
    await session("agent:main:cron:old", T0 - 2 * 24 * HOUR);
    const keep = open(false);
    await clock.advance(MIN_SWEEP_GAP_MS);
    await keep.reaper!.idle();
    expect(keep.reaper!.nextSweepAtMs()).toBeUndefined();
    expect(sessions.get("agent:main:cron:old")).toBeDefined();
    const running = await pruneCronSessions([sessions], T0, new Set(["old"]));
    expect(running).toEqual({ deleted: [], oldestKeptMs: undefined });
    const idle = await pruneCronSessions([sessions], T0, new Set());
    expect(idle).toEqual({ deleted: ["agent:main:cron:old"], oldestKeptMs: undefined });
  });
});
