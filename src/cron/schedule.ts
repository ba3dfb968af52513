import { Cron } from "croner";

/**
 * Job schedules, in OpenClaw's shape: a one-shot ISO time, a fixed interval, or a cron
 * expression in an IANA time zone. Cron math (DST gaps and repeats, month ends, leap
 * days) is croner's; we only pick the next instant after a given one.
 */
export type CronSchedule =
  | { kind: "at"; at: string }
  | { kind: "every"; everyMs: number; anchorMs?: number }
  | { kind: "cron"; expr: string; tz?: string };

/**
 * The shortest interval: below a second the timer's own jitter is the schedule, and a
 * job that fires continuously starves chat.
 */
export const MIN_EVERY_MS = 1_000;

/** A schedule a user can fix: the message names the field and what to write. */
export class ScheduleError extends Error {}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `10m`, `2h`, `1.5d`, `500ms` → milliseconds; `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
}

/** Whether `tz` is an IANA zone this Node knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Throws ScheduleError when the schedule can never fire as written. */
export function validateSchedule(schedule: CronSchedule): void {
  switch (schedule.kind) {
    case "at":
      if (!Number.isFinite(Date.parse(schedule.at))) {
        throw new ScheduleError(
          `schedule.at "${schedule.at}" is not a date: write an ISO time like 2026-02-01T16:00:00Z`,
        );
      }
      return;
    case "every":
      if (!Number.isInteger(schedule.everyMs) || schedule.everyMs < MIN_EVERY_MS) {
        throw new ScheduleError(`schedule.everyMs must be a whole number of at least ${MIN_EVERY_MS} (1s)`);
      }
      return;
    case "cron":
      if (schedule.tz !== undefined && !isValidTimeZone(schedule.tz)) {
        throw new ScheduleError(
          `schedule.tz "${schedule.tz}" is not a time zone: use an IANA name like Europe/Vienna`,
        );
      }
      try {
        cronOf(schedule);
      } catch (err) {
        throw new ScheduleError(
          `schedule.expr "${schedule.expr}" is not a cron expression: ${(err as Error).message}`,
        );
      }
  }
}

/** Parsed cron patterns, by expression and zone: a thousand jobs share a handful of patterns. */
const patterns = new Map<string, Cron>();
const MAX_CACHED_PATTERNS = 1_000;

function cronOf(schedule: { expr: string; tz?: string }): Cron {
  const key = `${schedule.tz ?? "UTC"}\u0000${schedule.expr}`;
  let cron = patterns.get(key);
  if (!cron) {
    cron = new Cron(schedule.expr, { timezone: schedule.tz ?? "UTC", paused: true });
    if (patterns.size >= MAX_CACHED_PATTERNS) patterns.clear();
    patterns.set(key, cron);
  }
  return cron;
}

/**
 * The first fire time strictly after `afterMs`, or undefined when there is none (a
 * one-shot in the past). `createdAtMs` anchors an interval that has no `anchorMs`.
 */
export function nextRunAt(
  schedule: CronSchedule,
  afterMs: number,
  createdAtMs = afterMs,
): number | undefined {
  switch (schedule.kind) {
    case "at": {
      const at = Date.parse(schedule.at);
      return at > afterMs ? at : undefined;
    }
    case "every": {
      // Fixed phase from the anchor: a late run does not shift every later one.
      const anchor = schedule.anchorMs ?? createdAtMs;
      if (afterMs < anchor) return anchor;
      const periods = Math.floor((afterMs - anchor) / schedule.everyMs) + 1;
      return anchor + periods * schedule.everyMs;
    }
    case "cron":
      return cronOf(schedule).nextRun(new Date(afterMs))?.getTime();
  }
}

/** The first run of a new job: a one-shot whose time has passed runs at once. */
export function firstRunAt(schedule: CronSchedule, nowMs: number, createdAtMs = nowMs): number | undefined {
  if (schedule.kind === "at") return Date.parse(schedule.at);
  if (schedule.kind === "every" && schedule.anchorMs === undefined) return createdAtMs + schedule.everyMs;
  return nextRunAt(schedule, nowMs, createdAtMs);
}
