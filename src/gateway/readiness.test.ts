import { describe, expect, it } from "vitest";
import { Readiness } from "./readiness.js";

describe("Readiness", () => {
  it("is ready only when no part is pending, listing the reasons otherwise", () => {
    const readiness = new Readiness();
    expect(readiness.snapshot()).toEqual({ ready: true, failing: [] });
    readiness.wait("gateway", "starting");
    readiness.wait("discord", "connecting");
    expect(readiness.snapshot()).toEqual({
      ready: false,
      failing: ["gateway: starting", "discord: connecting"],
    });
    readiness.done("gateway");
    readiness.wait("discord", "invalid token (4004)");
    expect(readiness.snapshot()).toEqual({ ready: false, failing: ["discord: invalid token (4004)"] });
    readiness.done("discord");
    expect(readiness.snapshot().ready).toBe(true);
  });
});
