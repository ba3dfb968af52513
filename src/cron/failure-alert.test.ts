import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboundPort, OutboundTarget } from "../agents/outbound.js";
import type { Logger } from "../infra/logger.js";
import {
  DEFAULT_FAILURE_ALERT_AFTER,
  DEFAULT_FAILURE_ALERT_COOLDOWN_MS,
  type FailureAlertConfig,
  FailureAlerter,
  resolveFailureAlert,
} from "./failure-alert.js";
import { FakeClock } from "./fake-clock.test-helper.js";
import { CronService } from "./service.js";
import { CronStore } from "./store.js";
import type { CronJob, RunResult } from "./types.js";

const T0 = Date.parse("2026-06-01T08:00:00Z");
const HOUR = 3_600_000;

let dir: string;
let clock: FakeClock;
let sent: { target: OutboundTarget; text: string }[];
let warnings: string[];
let sendFails: boolean;
let result: RunResult;
const services: CronService[] = [];

const log = {
  debug() {},
  info() {},
  warn: (m: string) => warnings.push(m),
  error() {},
} as unknown as Logger;

/** The chat apps, as the scheduler sees them: records what goes out, or refuses. */
const outbound: OutboundPort = {
  async send(target, message) {
    if (sendFails) throw new Error("telegram answered 502");
    sent.push({ target, text: message.text });
    return { messageIds: ["1"] };
  },
};

function open(config: FailureAlertConfig | undefined): CronService {
  const service = new CronService({
    store: CronStore.open(path.join(dir, "cron", "cron.sqlite")),
    clock,
    execute: async () => result,
    maxConcurrentRuns: () => 1,
    log,
    alerts: new FailureAlerter({ outbound, config: () => config, log }),
  });
  service.start();
  services.push(service);
  return service;
}

const failing: RunResult = { status: "error", error: "provider said no", deliveryStatus: "not-delivered" };
const hourly = (extra: Partial<Parameters<CronService["add"]>[0]> = {}) => ({
  name: "morning brief",
  schedule: { kind: "every" as const, everyMs: HOUR },
  payload: { kind: "agentTurn" as const, message: "brief me" },
  ...extra,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "cron-alert-"));
  clock = new FakeClock(T0);
  sent = [];
  warnings = [];
  sendFails = false;
  result = failing;
});
afterEach(() => {
  for (const s of services.splice(0)) s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("failure alerts", () => {
  it("alerts after N failures in a row, then not again within the cooldown, then again after it", async () => {
    const cron = open({ after: 2, cooldownMs: 90 * 60_000, channel: "telegram", to: "123" });
    const job = cron.add(hourly());
    await clock.advance(HOUR);
    expect(cron.get(job.id)!.state.consecutiveErrors).toBe(1);
    expect(sent).toEqual([]);
    await clock.advance(HOUR);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.target).toEqual({ channel: "telegram", to: "123" });
    expect(sent[0]!.text).toContain('Cron job "morning brief"');
    expect(sent[0]!.text).toContain("failed 2 time(s) in a row: provider said no");
    expect(cron.get(job.id)!.state.lastFailureAlertAtMs).toBe(T0 + 2 * HOUR);
    await clock.advance(HOUR); // 60 min after the alert: inside the 90 min cooldown
    expect(sent).toHaveLength(1);
    await clock.advance(HOUR); // 120 min after it
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toContain("failed 4 time(s)");
  });

  it("a success resets the count; the cooldown survives a restart", async () => {
    const first = open({ after: 1, channel: "discord", to: "channel:9" });
    const job = first.add(hourly());
    await clock.advance(HOUR);
    expect(sent).toHaveLength(1);
    first.stop();
    const again = open({ after: 1, channel: "discord", to: "channel:9" });
    // Fails again exactly one default cooldown (1 h) after the alert: due again.
    expect(DEFAULT_FAILURE_ALERT_COOLDOWN_MS).toBe(HOUR);
    await clock.advance(HOUR);
    expect(sent).toHaveLength(2);
    result = { status: "ok", deliveryStatus: "not-requested" };
    await clock.advance(HOUR);
    expect(again.get(job.id)!.state.consecutiveErrors).toBe(0);
    result = failing;
    await clock.advance(HOUR); // the count starts again at 1, which is `after`
    expect(sent).toHaveLength(3);
  });

  it("a restart inside the cooldown does not repeat the alert", async () => {
    const first = open({ after: 1, cooldownMs: 3 * HOUR, channel: "discord", to: "channel:9" });
    first.add(hourly());
    await clock.advance(HOUR);
    expect(sent).toHaveLength(1);
    first.stop();
    open({ after: 1, cooldownMs: 3 * HOUR, channel: "discord", to: "channel:9" });
    await clock.advance(HOUR);
    expect(sent).toHaveLength(1);
  });

  it("defaults to the job's delivery target; a job's false turns alerts off; no config, no alerts", async () => {
    const cron = open({ after: 1 });
    const announced = cron.add(
      hourly({ delivery: { mode: "announce", channel: "telegram", to: "555", accountId: "bot2" } }),
    );
    cron.add(hourly({ name: "quiet", failureAlert: false }));
    await clock.advance(HOUR);
    expect(sent.map((s) => s.target)).toEqual([{ channel: "telegram", to: "555", accountId: "bot2" }]);
    expect(sent[0]!.text).toContain(announced.id);

    const job = { ...announced, state: { consecutiveErrors: 5 } } as CronJob;
    expect(resolveFailureAlert(job, undefined)).toBeUndefined();
    expect(resolveFailureAlert({ ...job, failureAlert: { after: 2 } }, undefined)).toMatchObject({
      after: 2,
    });
    expect(resolveFailureAlert(job, { mode: "none" })).toBeUndefined();
    expect(resolveFailureAlert(job, {})?.after).toBe(DEFAULT_FAILURE_ALERT_AFTER);
    // A channel given without a recipient does not borrow the job's (another app's) recipient.
    expect(resolveFailureAlert(job, { channel: "discord" })).toBeUndefined();
  });

  it("an alert that cannot be sent is logged with the job and channel, and the run is still recorded", async () => {
    sendFails = true;
    const cron = open({ after: 1, channel: "telegram", to: "123" });
    const job = cron.add(hourly());
    await clock.advance(HOUR);
    expect(warnings.some((w) => w.includes(job.id) && w.includes("failure alert to telegram"))).toBe(true);
    expect(cron.runs(job.id, 5)[0]).toMatchObject({ status: "error", error: "provider said no" });
  });

  it("skipped runs alert only with includeSkipped, and say so", async () => {
    result = { status: "skipped", error: "the agent was busy", deliveryStatus: "not-requested" };
    const cron = open({ after: 2, channel: "telegram", to: "123" });
    const counted = cron.add(hourly({ name: "counted", failureAlert: { includeSkipped: true } }));
    cron.add(hourly({ name: "ignored" }));
    await clock.advance(2 * HOUR);
    expect(cron.get(counted.id)!.state.consecutiveSkipped).toBe(2);
    expect(sent.map((s) => s.text)).toEqual([
      expect.stringContaining(
        'Cron job "counted" (' + counted.id + ") was skipped 2 time(s) in a row: the agent was busy",
      ),
    ]);
  });

  it("a job's own block turns alerts on over a gateway-wide enabled: false; edits merge into it", async () => {
    const cron = open({ enabled: false, channel: "telegram", to: "123" });
    const job = cron.add(hourly({ failureAlert: { after: 1, channel: "discord", to: "channel:9" } }));
    cron.add(hourly({ name: "inherits the off switch" }));
    await clock.advance(HOUR);
    expect(sent.map((s) => s.target)).toEqual([{ channel: "discord", to: "channel:9" }]);
    const edited = cron.update(job.id, { failureAlert: { after: 4 } });
    expect(edited.failureAlert).toEqual({ after: 4, channel: "discord", to: "channel:9" });
    expect(cron.update(job.id, { failureAlert: false }).failureAlert).toBe(false);
  });
});
