import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "./protocol.js";

const bytes = (text: string) => Buffer.from(text);

describe("nestsDeeperThan", () => {
  it("counts arrays and objects together, up to and past the limit", () => {
    expect(nestsDeeperThan(bytes('{"a":[[1]]}'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":[[[1]]]}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes("[]".repeat(1000)), 1)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    expect(nestsDeeperThan(bytes(JSON.stringify({ s: "[[[[{{{{" })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(JSON.stringify({ s: 'say \\"[[[[\\" \\\\' })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(`["\\\\",[[1]]]`), 2)).toBe(true);
  });

  it("sees through multi-byte UTF-8", () => {
    expect(nestsDeeperThan(bytes(JSON.stringify({ s: "日本語 [ émoji 🎉" })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(`{"日":[[["🎉"]]]}`), 3)).toBe(true);
  });
});
