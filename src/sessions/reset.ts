/**
 * When a session starts afresh on its own (`session.reset`, `resetByType`,
 * `resetByChannel`): `daily` at `atHour` (gateway local time), `idle` after
 * `idleMinutes` without messages, or `manual` (only /new and /reset). A daily policy
 * with `idleMinutes` resets at whichever comes first.
 */

export interface ResetPolicy {
  /** `none` is OpenClaw's name for manual. */
  mode?: "manual" | "none" | "daily" | "idle";
  atHour?: number;
  idleMinutes?: number;
}

export interface SessionResetConfig {
  reset?: ResetPolicy;
  resetByType?: { direct?: ResetPolicy; group?: ResetPolicy; thread?: ResetPolicy };
  resetByChannel?: Record<string, ResetPolicy>;
}

export type SessionType = "direct" | "group" | "thread";

const DEFAULT_AT_HOUR = 4;
const DEFAULT_IDLE_MINUTES = 60;

/** What kind of conversation a session key is (`…:thread:…` or Telegram's `…:topic:…`, `…:group:…`/`…:channel:…`, else direct). */
export function sessionTypeOf(sessionKey: string): SessionType {
  if (/:(thread|topic):/.test(sessionKey)) return "thread";
  if (/:(group|channel):/.test(sessionKey)) return "group";
  return "direct";
}

/** Channel over type over the global policy; none configured means manual. */
export function resolveResetPolicy(
  cfg: SessionResetConfig | undefined,
  at: { channel?: string; type: SessionType },
): ResetPolicy {
  return (
    (at.channel ? cfg?.resetByChannel?.[at.channel] : undefined) ??
    cfg?.resetByType?.[at.type] ??
    cfg?.reset ?? { mode: "manual" }
  );
}

/** True when a session last used at `updatedAt` should start afresh under `policy`. */
export function isStale(updatedAt: number, policy: ResetPolicy, now: Date = new Date()): boolean {
  const idleMs = (policy.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000;
  switch (policy.mode ?? "manual") {
    case "manual":
    case "none":
      return false;
    case "idle":
      return now.getTime() - updatedAt > idleMs;
    case "daily": {
      const boundary = new Date(now);
      boundary.setHours(policy.atHour ?? DEFAULT_AT_HOUR, 0, 0, 0);
      if (boundary > now) boundary.setDate(boundary.getDate() - 1);
      const idle = policy.idleMinutes !== undefined && now.getTime() - updatedAt > idleMs;
      return updatedAt < boundary.getTime() || idle;
    }
  }
}
