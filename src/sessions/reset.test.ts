import { describe, expect, it } from "vitest";
import { isStale, resolveResetPolicy, sessionTypeOf } from "./reset.js";

const at = (iso: string) => new Date(iso);
const t = (iso: string) => at(iso).getTime();

describe("session reset policies", () => {
  it("manual never resets", () => {
    expect(isStale(0, { mode: "manual" }, at("2030-01-01T12:00:00"))).toBe(false);
    expect(isStale(0, {}, at("2030-01-01T12:00:00"))).toBe(false);
  });

  it.each([
    ["used before today's 4:00, now after it", "2026-11-25T03:59:00", "2026-11-25T04:01:00", true],
    ["used after today's 4:00", "2026-11-25T04:01:00", "2026-11-25T23:00:00", false],
    ["now before 4:00, used after yesterday's 4:00", "2026-11-24T22:00:00", "2026-11-25T03:00:00", false],
    ["now before 4:00, used before yesterday's 4:00", "2026-11-24T03:00:00", "2026-11-25T03:00:00", true],
  ])("daily at 4: %s → %s", (_name, used, now, stale) => {
    expect(isStale(t(used), { mode: "daily", atHour: 4 }, at(now))).toBe(stale);
  });

  it("idle after idleMinutes; daily with idleMinutes resets at whichever comes first", () => {
    const now = at("2026-11-25T12:00:00");
    expect(isStale(t("2026-11-25T11:30:00"), { mode: "idle", idleMinutes: 60 }, now)).toBe(false);
    expect(isStale(t("2026-11-25T10:30:00"), { mode: "idle", idleMinutes: 60 }, now)).toBe(true);
    expect(isStale(t("2026-11-25T10:30:00"), { mode: "daily", atHour: 4, idleMinutes: 60 }, now)).toBe(true);
  });

  it("picks channel over type over the global policy", () => {
    const cfg = {
      reset: { mode: "daily" as const },
      resetByType: { group: { mode: "idle" as const } },
      resetByChannel: { discord: { mode: "manual" as const } },
    };
    expect(resolveResetPolicy(cfg, { channel: "discord", type: "group" }).mode).toBe("manual");
    expect(resolveResetPolicy(cfg, { channel: "telegram", type: "group" }).mode).toBe("idle");
    expect(resolveResetPolicy(cfg, { type: "direct" }).mode).toBe("daily");
    expect(resolveResetPolicy(undefined, { type: "direct" }).mode).toBe("manual");
  });

  it("classifies session keys", () => {
    expect(sessionTypeOf("agent:main:main")).toBe("direct");
    expect(sessionTypeOf("agent:main:discord:channel:1")).toBe("group");
    expect(sessionTypeOf("agent:main:discord:channel:1:thread:2")).toBe("thread");
    expect(sessionTypeOf("agent:main:telegram:group:-100:topic:9")).toBe("thread");
  });
});
