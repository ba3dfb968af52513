import { describe, expect, it } from "vitest";
import { normalizeTarget } from "./send.js";

describe("send: OpenClaw's target forms", () => {
  it.each([
    ["telegram", "123", "direct:123"],
    ["telegram", "-100123", "group:-100123"],
    ["discord", "987", "channel:987"],
    ["discord", "user:42", "direct:42"],
    ["signal", "+15551234567", "direct:+15551234567"],
    ["telegram", "group:-5", "group:-5"],
    ["discord", "channel:7", "channel:7"],
  ])("%s %s → %s", (channel, to, expected) => {
    expect(normalizeTarget(channel, to)).toBe(expected);
  });
});
