import { describe, expect, it } from "vitest";
import { type CronSchedule, nextRunAt, parseDuration, ScheduleError, validateSchedule } from "./schedule.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const cron = (expr: string, tz?: string): CronSchedule => ({ kind: "cron", expr, ...(tz ? { tz } : {}) });

describe("cron schedules across DST", () => {
  it.each([
    // Vienna springs forward 2026-03-29 02:00 → 03:00: 02:30 does not exist that day; it runs once, at 03:00 local.
    ["Europe/Vienna", "30 2 * * *", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00.000Z"],
    ["Europe/Vienna", "30 2 * * *", "2026-03-29T12:00:00Z", "2026-03-30T00:30:00.000Z"],
    // Vienna falls back 2026-10-25 03:00 → 02:00: 07:00 local moves from 05:00Z to 06:00Z.
    ["Europe/Vienna", "0 7 * * *", "2026-10-24T12:00:00Z", "2026-10-25T06:00:00.000Z"],
    ["Europe/Vienna", "0 7 * * 1-5", "2026-10-23T06:00:00Z", "2026-10-26T06:00:00.000Z"],
    // New York springs forward 2026-03-08 and falls back 2026-11-01.
    ["America/New_York", "0 7 * * *", "2026-03-07T13:00:00Z", "2026-03-08T11:00:00.000Z"],
    ["America/New_York", "0 7 * * 1-5", "2026-10-30T12:00:00Z", "2026-11-02T12:00:00.000Z"],
  ])("%s %s after %s → %s", (tz, expr, after, expected) => {
    expect(iso(nextRunAt(cron(expr, tz), at(after)))).toBe(expected);
  });

  it("a time in the repeated hour of a fall-back night runs once", () => {
    // 2026-11-01 01:30 happens twice in New York (EDT then EST).
    const schedule = cron("30 1 * * *", "America/New_York");
    const first = nextRunAt(schedule, at("2026-11-01T00:00:00Z"))!;
    const second = nextRunAt(schedule, first)!;
    expect(iso(first)).toBe("2026-11-01T05:30:00.000Z");
    expect(second - first).toBeGreaterThan(23 * 3_600_000);
  });
});

describe("calendar edges", () => {
  it("the 31st skips months without one", () => {
    expect(iso(nextRunAt(cron("0 9 31 * *"), at("2026-04-01T00:00:00Z")))).toBe("2026-05-31T09:00:00.000Z");
  });
  it("Feb 29 waits for the next leap year", () => {
    expect(iso(nextRunAt(cron("0 9 29 2 *"), at("2026-01-01T00:00:00Z")))).toBe("2028-02-29T09:00:00.000Z");
  });
  it("the last day of February in a leap year comes after the 28th", () => {
    expect(iso(nextRunAt(cron("0 0 28-29 2 *"), at("2028-02-28T00:00:01Z")))).toBe(
      "2028-02-29T00:00:00.000Z",
    );
  });
  it("no zone means UTC", () => {
    expect(iso(nextRunAt(cron("0 7 * * *"), at("2026-06-01T08:00:00Z")))).toBe("2026-06-02T07:00:00.000Z");
  });
});

describe("intervals and one-shots", () => {
  it("an interval keeps its phase from the anchor, whatever the time asked from", () => {
    const every: CronSchedule = { kind: "every", everyMs: 600_000, anchorMs: 1_000_000 };
    expect(nextRunAt(every, 1_000_000)).toBe(1_600_000);
    expect(nextRunAt(every, 1_599_999)).toBe(1_600_000);
    expect(nextRunAt(every, 5_432_100)).toBe(5_800_000);
  });
  it("a one-shot in the past has no next run", () => {
    expect(nextRunAt({ kind: "at", at: "2026-01-01T00:00:00Z" }, at("2026-01-02T00:00:00Z"))).toBeUndefined();
    expect(nextRunAt({ kind: "at", at: "2026-01-03T00:00:00Z" }, at("2026-01-02T00:00:00Z"))).toBe(
      at("2026-01-03T00:00:00Z"),
    );
  });
  it.each([
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1.5d", 129_600_000],
    ["500ms", 500],
    ["30 s", 30_000],
  ])("parses %s", (text, ms) => expect(parseDuration(text)).toBe(ms));
  it("refuses what is not a duration", () => expect(parseDuration("soon")).toBeUndefined());
});

describe("validation names the field to fix", () => {
  it.each([
    [{ kind: "at", at: "tomorrow-ish" }, /schedule\.at/],
    [{ kind: "every", everyMs: 10 }, /schedule\.everyMs/],
    [{ kind: "cron", expr: "61 * * * *" }, /schedule\.expr/],
    [{ kind: "cron", expr: "0 7 * * *", tz: "Mars/Olympus" }, /schedule\.tz/],
  ] as [CronSchedule, RegExp][])("%j", (schedule, message) => {
    expect(() => validateSchedule(schedule)).toThrow(ScheduleError);
    expect(() => validateSchedule(schedule)).toThrow(message);
  });
});
