import type { CronJobInput, CronJobPatch } from "../cron/jobs.js";
import { isValidTimeZone, parseDuration } from "../cron/schedule.js";
import type { CronDelivery, CronPayload, FailureAlertConfig } from "../cron/types.js";

/** `openclaw cron add|edit` flags, OpenClaw's names (commander camel-cases them). */
export interface CronFlags {
  name?: string;
  description?: string;
  agent?: string;
  at?: string;
  every?: string;
  cron?: string;
  tz?: string;
  session?: string;
  /** `--session-key`: the conversation a `current` job belongs to. */
  sessionKey?: string;
  systemEvent?: string;
  message?: string;
  wake?: string;
  model?: string;
  thinking?: string;
  timeoutSeconds?: string;
  announce?: boolean;
  /** `--deliver` (OpenClaw's deprecated alias of --announce) / `--no-deliver`. */
  deliver?: boolean;
  channel?: string;
  to?: string;
  account?: string;
  bestEffortDeliver?: boolean;
  deleteAfterRun?: boolean;
  keepAfterRun?: boolean;
  disabled?: boolean;
  enable?: boolean;
  disable?: boolean;
  /** `--failure-alert` / `--no-failure-alert`, then OpenClaw's `--failure-alert-*` fields. */
  failureAlert?: boolean;
  failureAlertAfter?: string;
  failureAlertChannel?: string;
  failureAlertTo?: string;
  failureAlertCooldown?: string;
  failureAlertIncludeSkipped?: boolean;
  failureAlertExcludeSkipped?: boolean;
  failureAlertMode?: string;
  failureAlertAccountId?: string;
}

/** A flag combination a user can fix: the message names the flag. */
export class CronFlagError extends Error {}

/** The job `openclaw cron add` asks for. */
export function jobInputFromFlags(flags: CronFlags, nowMs: number): CronJobInput {
  const schedule = scheduleFromFlags(flags, nowMs);
  if (!schedule) throw new CronFlagError("say when: --at <time>, --every <duration> or --cron <expr>");
  const payload = payloadFromFlags(flags);
  if (!payload)
    throw new CronFlagError("say what: --message <text> (an agent turn) or --system-event <text>");
  const input: CronJobInput = { schedule, payload };
  copyCommon(flags, input);
  const delivery = deliveryFromFlags(flags);
  if (delivery) input.delivery = delivery;
  if (flags.disabled) input.enabled = false;
  const alert = failureAlertFromFlags(flags);
  if (alert !== undefined) input.failureAlert = alert;
  return input;
}

/** The patch `openclaw cron edit` asks for (only the flags given). */
export function jobPatchFromFlags(flags: CronFlags, nowMs: number): CronJobPatch {
  const patch: CronJobPatch = {};
  const schedule = scheduleFromFlags(flags, nowMs);
  if (schedule) patch.schedule = schedule;
  const payload = payloadFromFlags(flags);
  if (payload) patch.payload = payload;
  else if (flags.model || flags.thinking || flags.timeoutSeconds) patch.payload = turnOptions(flags);
  copyCommon(flags, patch);
  const delivery = deliveryFromFlags(flags);
  if (delivery) patch.delivery = delivery;
  if (flags.enable && flags.disable) throw new CronFlagError("give --enable or --disable, not both");
  if (flags.enable) patch.enabled = true;
  if (flags.disable) patch.enabled = false;
  const alert = failureAlertFromFlags(flags);
  if (alert !== undefined) patch.failureAlert = alert;
  if (Object.keys(patch).length === 0)
    throw new CronFlagError("nothing to change: give at least one flag (see --help)");
  return patch;
}

function scheduleFromFlags(flags: CronFlags, nowMs: number): CronJobInput["schedule"] | undefined {
  const given = [flags.at, flags.every, flags.cron].filter((v) => v !== undefined).length;
  if (given > 1) throw new CronFlagError("give one of --at, --every and --cron");
  if (flags.tz !== undefined && !isValidTimeZone(flags.tz)) {
    throw new CronFlagError(`--tz "${flags.tz}" is not a time zone: use an IANA name like Europe/Vienna`);
  }
  if (flags.at !== undefined)
    return { kind: "at", at: new Date(parseAt(flags.at, flags.tz, nowMs)).toISOString() };
  if (flags.every !== undefined) {
    const everyMs = parseDuration(flags.every);
    if (everyMs === undefined)
      throw new CronFlagError(`--every "${flags.every}" is not a duration: write 10m, 2h or 1d`);
    return { kind: "every", everyMs };
  }
  if (flags.cron !== undefined)
    return { kind: "cron", expr: flags.cron, ...(flags.tz ? { tz: flags.tz } : {}) };
  return undefined;
}

/**
 * `--at`: a duration from now (`20m`, `+2s`), or an ISO time; one without an offset is
 * UTC, or wall-clock time in `--tz` when given (OpenClaw's rule).
 */
export function parseAt(text: string, tz: string | undefined, nowMs: number): number {
  const relative = parseDuration(text.replace(/^\+/, ""));
  if (relative !== undefined) return nowMs + relative;
  const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text.trim());
  const utc = Date.parse(hasOffset || !/T|\d:\d/.test(text) ? text : `${text.trim()}Z`);
  if (!Number.isFinite(utc)) {
    throw new CronFlagError(
      `--at "${text}" is not a time: write 2026-02-01T16:00:00Z, or a duration like 20m`,
    );
  }
  if (hasOffset || !tz) return utc;
  // Wall-clock time in `tz`: shift by the zone's offset at that instant (twice, for a DST edge).
  const first = utc - zoneOffsetMs(utc, tz);
  return utc - zoneOffsetMs(first, tz);
}

/** How far `tz`'s wall clock is ahead of UTC at `ms`. */
function zoneOffsetMs(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(ms / 1000) * 1000;
}

function payloadFromFlags(flags: CronFlags): CronPayload | undefined {
  if (flags.systemEvent !== undefined && flags.message !== undefined) {
    throw new CronFlagError("give --message or --system-event, not both");
  }
  if (flags.systemEvent !== undefined) return { kind: "systemEvent", text: flags.systemEvent };
  if (flags.message !== undefined)
    return { kind: "agentTurn", message: flags.message, ...turnOptions(flags) };
  return undefined;
}

function turnOptions(flags: CronFlags) {
  const seconds = flags.timeoutSeconds === undefined ? undefined : Number(flags.timeoutSeconds);
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds > 0)) {
    throw new CronFlagError(`--timeout-seconds "${flags.timeoutSeconds}" must be a whole number of seconds`);
  }
  return {
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.thinking ? { thinking: flags.thinking } : {}),
    ...(seconds !== undefined ? { timeoutSeconds: seconds } : {}),
  };
}

function deliveryFromFlags(flags: CronFlags): CronDelivery | undefined {
  if (flags.deliver === false) return { mode: "none" };
  const target = flags.channel !== undefined || flags.to !== undefined;
  if (!flags.announce && !flags.deliver && !target) return undefined;
  return {
    mode: "announce",
    ...(flags.channel ? { channel: flags.channel } : {}),
    ...(flags.to ? { to: flags.to } : {}),
    ...(flags.account ? { accountId: flags.account } : {}),
    ...(flags.bestEffortDeliver ? { bestEffort: true } : {}),
  };
}

function copyCommon(flags: CronFlags, into: CronJobPatch): void {
  if (flags.name !== undefined) into.name = flags.name;
  if (flags.description !== undefined) into.description = flags.description;
  if (flags.agent !== undefined) into.agentId = flags.agent;
  if (flags.session !== undefined) {
    const session = flags.session.trim();
    const known = session === "main" || session === "isolated" || session === "current";
    if (!known && !/^session:\S+$/.test(session)) {
      throw new CronFlagError(`--session "${flags.session}": use main, isolated, current or session:<key>`);
    }
    into.sessionTarget = session as NonNullable<CronJobPatch["sessionTarget"]>;
  }
  if (flags.sessionKey !== undefined) into.sessionKey = flags.sessionKey.trim();
  if (flags.wake !== undefined) {
    if (flags.wake !== "now" && flags.wake !== "next-heartbeat") {
      throw new CronFlagError(`--wake "${flags.wake}": use now or next-heartbeat`);
    }
    into.wakeMode = flags.wake;
  }
  if (flags.deleteAfterRun && flags.keepAfterRun)
    throw new CronFlagError("give --delete-after-run or --keep-after-run, not both");
  if (flags.deleteAfterRun) into.deleteAfterRun = true;
  if (flags.keepAfterRun) into.deleteAfterRun = false;
}

/**
 * The job's `failureAlert` from OpenClaw's flags: `--no-failure-alert` alone is `false`;
 * `--failure-alert` or any `--failure-alert-*` field is an object of the fields given (on
 * edit they merge into the job's). Undefined: no such flag.
 */
export function failureAlertFromFlags(flags: CronFlags): FailureAlertConfig | false | undefined {
  const fields = [
    flags.failureAlertAfter,
    flags.failureAlertChannel,
    flags.failureAlertTo,
    flags.failureAlertCooldown,
    flags.failureAlertIncludeSkipped,
    flags.failureAlertExcludeSkipped,
    flags.failureAlertMode,
    flags.failureAlertAccountId,
  ].some((v) => v !== undefined);
  if (flags.failureAlert === false) {
    if (fields) throw new CronFlagError("give --no-failure-alert alone, without --failure-alert-* options");
    return false;
  }
  if (!flags.failureAlert && !fields) return undefined;
  if (flags.failureAlertIncludeSkipped && flags.failureAlertExcludeSkipped) {
    throw new CronFlagError(
      "give --failure-alert-include-skipped or --failure-alert-exclude-skipped, not both",
    );
  }
  const alert: FailureAlertConfig = {};
  if (flags.failureAlertAfter !== undefined) {
    const after = Number(flags.failureAlertAfter);
    if (!Number.isInteger(after) || after < 1) {
      throw new CronFlagError(
        `--failure-alert-after "${flags.failureAlertAfter}" must be a whole number of runs, 1 or more`,
      );
    }
    alert.after = after;
  }
  if (flags.failureAlertChannel !== undefined) alert.channel = flags.failureAlertChannel.trim().toLowerCase();
  if (flags.failureAlertTo !== undefined) alert.to = flags.failureAlertTo.trim();
  if (flags.failureAlertAccountId !== undefined) alert.accountId = flags.failureAlertAccountId.trim();
  if (flags.failureAlertCooldown !== undefined) {
    const cooldownMs = parseDuration(flags.failureAlertCooldown);
    if (cooldownMs === undefined) {
      throw new CronFlagError(
        `--failure-alert-cooldown "${flags.failureAlertCooldown}" is not a duration: write 30m or 1h`,
      );
    }
    alert.cooldownMs = cooldownMs;
  }
  if (flags.failureAlertIncludeSkipped) alert.includeSkipped = true;
  if (flags.failureAlertExcludeSkipped) alert.includeSkipped = false;
  if (flags.failureAlertMode !== undefined) {
    const mode = flags.failureAlertMode.trim().toLowerCase();
    if (mode === "webhook") {
      throw new CronFlagError(
        "--failure-alert-mode webhook is not supported here: use announce (with --failure-alert-channel/--failure-alert-to) or none",
      );
    }
    if (mode !== "announce" && mode !== "none") {
      throw new CronFlagError(`--failure-alert-mode "${flags.failureAlertMode}": use announce or none`);
    }
    alert.mode = mode;
  }
  // An empty value (`--failure-alert-to ""`) falls back to the default instead of storing "".
  for (const key of ["channel", "to", "accountId"] as const) if (alert[key] === "") delete alert[key];
  return alert;
}
