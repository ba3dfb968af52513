import type { HeartbeatConfig } from "../config/schema/heartbeat.js";
import { parseDuration } from "./schedule.js";

/** OpenClaw's default interval. */
export const DEFAULT_HEARTBEAT_EVERY = "30m";
/** Text beside HEARTBEAT_OK up to this many characters is still just an acknowledgement (OpenClaw's default). */
export const DEFAULT_ACK_MAX_CHARS = 300;
/** OpenClaw's default heartbeat prompt, word for word, so agents behave the same on both. */
export const DEFAULT_HEARTBEAT_PROMPT =
  "Follow the heartbeat monitor scratch context when provided. Recurring tasks are automations; create or change " +
  "their schedules with the automations tool, not heartbeat scratch. Do not infer or repeat old tasks from prior " +
  "chats. If nothing needs attention, reply NO_REPLY.";

export interface HeartbeatSettings {
  everyMs: number;
  prompt: string;
  target: string;
  to?: string;
  accountId?: string;
  activeHours?: HeartbeatConfig["activeHours"];
  isolatedSession: boolean;
  timeoutSeconds?: number;
  /** `provider/model` for heartbeat turns, ahead of the agent's chain (its fallbacks still apply). */
  model?: string;
  /** Heartbeat turns without the workspace bootstrap files. */
  lightContext: boolean;
  ackMaxChars: number;
}

/** Defaults, then the agent's own block over them (OpenClaw's merge). `everyMs` 0: off. */
export function heartbeatSettings(
  defaults: HeartbeatConfig | undefined,
  own: HeartbeatConfig | undefined,
): HeartbeatSettings {
  const merged = { ...defaults, ...own };
  const everyMs = parseDuration(merged.every ?? DEFAULT_HEARTBEAT_EVERY) ?? 0;
  return {
    everyMs,
    prompt: merged.prompt?.trim() || DEFAULT_HEARTBEAT_PROMPT,
    target: merged.target ?? "owner",
    ...(merged.to ? { to: merged.to } : {}),
    ...(merged.accountId ? { accountId: merged.accountId } : {}),
    ...(merged.activeHours ? { activeHours: merged.activeHours } : {}),
    isolatedSession: merged.isolatedSession ?? false,
    ...(merged.model?.trim() ? { model: merged.model.trim() } : {}),
    lightContext: merged.lightContext ?? false,
    ...(merged.timeoutSeconds ? { timeoutSeconds: merged.timeoutSeconds } : {}),
    ackMaxChars: merged.ackMaxChars ?? DEFAULT_ACK_MAX_CHARS,
  };
}

/** Minutes since midnight of `ms` in `timeZone`. */
function minuteOfDay(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return get("hour") * 60 + get("minute");
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `ms` falls inside the daily window (which may span midnight); no window: always. */
export function inActiveHours(ms: number, window: HeartbeatSettings["activeHours"]): boolean {
  if (!window) return true;
  const now = minuteOfDay(ms, window.timezone ?? "UTC");
  const start = minutes(window.start);
  const end = minutes(window.end);
  if (start === end) return true;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * What of a heartbeat reply is sent (OpenClaw's rules): NO_REPLY or an empty reply sends
 * nothing; HEARTBEAT_OK at the start or end is stripped, and what is left is sent only
 * when it is longer than `ackMaxChars`. HEARTBEAT_OK in the middle is ordinary text.
 */
export function heartbeatReply(
  text: string,
  ackMaxChars: number,
): { send: true; text: string } | { send: false; reason: "no-reply" | "ok-token" | "empty" } {
  const trimmed = text.trim();
  if (trimmed === "") return { send: false, reason: "empty" };
  if (trimmed === "NO_REPLY") return { send: false, reason: "no-reply" };
  const token = "HEARTBEAT_OK";
  if (!trimmed.startsWith(token) && !trimmed.endsWith(token)) return { send: true, text: trimmed };
  let rest = trimmed;
  if (rest.startsWith(token)) rest = rest.slice(token.length);
  if (rest.endsWith(token)) rest = rest.slice(0, -token.length);
  rest = rest.replace(/^[\s.,:;!-]+|[\s]+$/g, "");
  return rest.length <= ackMaxChars ? { send: false, reason: "ok-token" } : { send: true, text: rest };
}

/**
 * OpenClaw skips a heartbeat whose HEARTBEAT.md exists but holds nothing to check (blank
 * lines, headings, HTML comments): no model call for an empty checklist.
 */
export function isEffectivelyEmpty(markdown: string): boolean {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, "")
    .split("\n")
    .every((line) => line.trim() === "" || /^#{1,6}(\s|$)/.test(line.trim()));
}
