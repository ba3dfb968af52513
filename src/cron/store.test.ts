import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CronStore } from "./store.js";
import type { CronJob, CronRunRecord } from "./types.js";

let dir: string;
let file: string;
const stores: CronStore[] = [];

function open(): CronStore {
  const store = CronStore.open(file);
  stores.push(store);
  return store;
}

const job = (id: string): CronJob => ({
  id,
  name: id,
  enabled: true,
  createdAtMs: 1,
  updatedAtMs: 1,
  schedule: { kind: "every", everyMs: 60_000 },
  sessionTarget: "isolated",
  wakeMode: "now",
  payload: { kind: "agentTurn", message: "hi" },
  state: {},
});

const run = (jobId: string, runId: string): CronRunRecord => ({
  runId,
  jobId,
  action: "started",
  ts: 5,
  runAtMs: 5,
  trigger: "manual",
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "cron-store-"));
  file = path.join(dir, "cron", "cron.sqlite");
});
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CronStore opens its file on first need", () => {
  it("reads an absent file as empty without creating it", () => {
    const store = open();
    expect(store.jobs()).toEqual([]);
    expect(store.unfinishedRuns()).toEqual([]);
    expect(store.runs(undefined, 10)).toEqual([]);
    store.deleteJob("nope");
    expect(existsSync(file)).toBe(false);
  });

  it("creates the file on the first write, and a new store reads what it holds", () => {
    open().putJob(job("a"));
    expect(existsSync(file)).toBe(true);
    expect(
      open()
        .jobs()
        .map((j) => j.id),
    ).toEqual(["a"]);
  });

  it("sees a file another store created after it was opened", () => {
    const early = open();
    expect(early.jobs()).toEqual([]);
    const writer = open();
    writer.recordStart(job("b"), run("b", "r1"));
    expect(early.jobs().map((j) => j.id)).toEqual(["b"]);
    expect(early.unfinishedRuns().map((r) => r.runId)).toEqual(["r1"]);
  });

  it("refuses to reopen once closed", () => {
    const store = CronStore.open(file);
    store.close();
    expect(() => store.putJob(job("c"))).toThrow(/cron store .* is closed/);
    expect(existsSync(file)).toBe(false);
  });
});
