import { describe, expect, it } from "vitest";
import { CronFlagError, jobInputFromFlags, jobPatchFromFlags, parseAt } from "./cron-flags.js";

const NOW = Date.parse("2026-06-01T08:00:00Z");

describe("openclaw cron add flags", () => {
  it("--at +2s is two seconds from now; an ISO time without offset is UTC, or wall time in --tz", () => {
    expect(parseAt("+2s", undefined, NOW)).toBe(NOW + 2_000);
    expect(parseAt("20m", undefined, NOW)).toBe(NOW + 1_200_000);
    expect(parseAt("2026-02-01T16:00:00", undefined, NOW)).toBe(Date.parse("2026-02-01T16:00:00Z"));
    expect(parseAt("2026-02-01T16:00:00+01:00", "America/New_York", NOW)).toBe(
      Date.parse("2026-02-01T15:00:00Z"),
    );
    // Vienna is UTC+1 in winter and UTC+2 in summer.
    expect(parseAt("2026-02-01T16:00:00", "Europe/Vienna", NOW)).toBe(Date.parse("2026-02-01T15:00:00Z"));
    expect(parseAt("2026-07-01T16:00:00", "Europe/Vienna", NOW)).toBe(Date.parse("2026-07-01T14:00:00Z"));
  });

  it("builds OpenClaw's job shape", () => {
    expect(
      jobInputFromFlags(
        {
          cron: "0 7 * * 1-5",
          tz: "Europe/Vienna",
          message: "brief",
          announce: true,
          channel: "telegram",
          to: "123",
        },
        NOW,
      ),
    ).toEqual({
      schedule: { kind: "cron", expr: "0 7 * * 1-5", tz: "Europe/Vienna" },
      payload: { kind: "agentTurn", message: "brief" },
      delivery: { mode: "announce", channel: "telegram", to: "123" },
    });
    expect(
      jobInputFromFlags(
        { every: "10m", systemEvent: "check", session: "main", wake: "now", deliver: false },
        NOW,
      ),
    ).toEqual({
      schedule: { kind: "every", everyMs: 600_000 },
      payload: { kind: "systemEvent", text: "check" },
      sessionTarget: "main",
      wakeMode: "now",
      delivery: { mode: "none" },
    });
  });

  it.each([
    [{ message: "x" }, /say when/],
    [{ every: "10m" }, /say what/],
    [{ every: "soon", message: "x" }, /--every "soon"/],
    [{ at: "+1m", every: "1m", message: "x" }, /one of --at, --every and --cron/],
    [{ cron: "0 7 * * *", tz: "Mars/Base", message: "x" }, /--tz "Mars\/Base"/],
    [{ at: "whenever", message: "x" }, /--at "whenever"/],
    [{ every: "1m", message: "x", timeoutSeconds: "ten" }, /--timeout-seconds/],
    [{ every: "1m", message: "x", session: "elsewhere" }, /use main, isolated, current or session:<key>/],
  ])("%j is refused with a fix", (flags, message) => {
    expect(() => jobInputFromFlags(flags, NOW)).toThrow(CronFlagError);
    expect(() => jobInputFromFlags(flags, NOW)).toThrow(message);
  });
});

describe("openclaw cron edit flags", () => {
  it("patches only what is given", () => {
    expect(jobPatchFromFlags({ disable: true }, NOW)).toEqual({ enabled: false });
    expect(jobPatchFromFlags({ announce: true, channel: "slack", to: "channel:C1" }, NOW)).toEqual({
      delivery: { mode: "announce", channel: "slack", to: "channel:C1" },
    });
    expect(jobPatchFromFlags({ timeoutSeconds: "30" }, NOW)).toEqual({ payload: { timeoutSeconds: 30 } });
  });
  it("an edit with no flag says so", () => {
    expect(() => jobPatchFromFlags({}, NOW)).toThrow(/nothing to change/);
  });
});

describe("openclaw cron failure-alert flags (OpenClaw's)", () => {
  const base = { every: "1h", message: "brief" };
  it("add: the fields given, as the job's failureAlert", () => {
    expect(
      jobInputFromFlags(
        {
          ...base,
          failureAlertAfter: "2",
          failureAlertChannel: "Telegram",
          failureAlertTo: "123",
          failureAlertCooldown: "30m",
          failureAlertIncludeSkipped: true,
          failureAlertMode: "announce",
          failureAlertAccountId: "ops",
        },
        NOW,
      ).failureAlert,
    ).toEqual({
      after: 2,
      channel: "telegram",
      to: "123",
      cooldownMs: 1_800_000,
      includeSkipped: true,
      mode: "announce",
      accountId: "ops",
    });
    expect(jobInputFromFlags({ ...base, failureAlert: true }, NOW).failureAlert).toEqual({});
    expect(jobInputFromFlags(base, NOW).failureAlert).toBeUndefined();
  });

  it("edit: --no-failure-alert is false; --failure-alert-exclude-skipped turns skipped counting off", () => {
    expect(jobPatchFromFlags({ failureAlert: false }, NOW)).toEqual({ failureAlert: false });
    expect(jobPatchFromFlags({ failureAlertExcludeSkipped: true }, NOW)).toEqual({
      failureAlert: { includeSkipped: false },
    });
  });

  it.each([
    [{ failureAlert: false, failureAlertAfter: "2" }, /--no-failure-alert alone/],
    [{ failureAlertIncludeSkipped: true, failureAlertExcludeSkipped: true }, /not both/],
    [{ failureAlertAfter: "0" }, /--failure-alert-after "0" must be a whole number/],
    [{ failureAlertCooldown: "soon" }, /--failure-alert-cooldown "soon" is not a duration/],
    [{ failureAlertMode: "webhook" }, /webhook is not supported here/],
    [{ failureAlertMode: "carrier-pigeon" }, /use announce or none/],
  ])("%j is refused: %s", (flags, message) => {
    expect(() => jobPatchFromFlags(flags, NOW)).toThrow(CronFlagError);
    expect(() => jobPatchFromFlags(flags, NOW)).toThrow(message);
  });
});

describe("openclaw cron --session targets (OpenClaw's)", () => {
  it("current with --session-key, and session:<key>", () => {
    expect(
      jobInputFromFlags(
        { every: "1h", message: "x", session: "current", sessionKey: "agent:main:discord:channel:42" },
        NOW,
      ),
    ).toMatchObject({ sessionTarget: "current", sessionKey: "agent:main:discord:channel:42" });
    expect(jobInputFromFlags({ every: "1h", message: "x", session: "session:daily" }, NOW)).toMatchObject({
      sessionTarget: "session:daily",
    });
    expect(jobPatchFromFlags({ session: "current", sessionKey: "agent:main:main" }, NOW)).toEqual({
      sessionTarget: "current",
      sessionKey: "agent:main:main",
    });
  });
});
