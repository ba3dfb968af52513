import { describe, expect, it } from "vitest";
import { formatNumber, formatTable, ratio, verdict } from "../bench/table.mjs";

describe("bench table", () => {
  it("ratio is ours over the peer, and undefined when a side is missing or not positive", () => {
    expect(ratio(50, 1000)).toBe(0.05);
    expect(ratio(200, 100)).toBe(2);
    expect(ratio(undefined, 100)).toBeUndefined();
    expect(ratio(10, undefined)).toBeUndefined();
    expect(ratio(0, 100)).toBeUndefined();
    expect(ratio(10, Number.NaN)).toBeUndefined();
  });

  it("the verdict reads in the metric's direction", () => {
    expect(verdict(50, 1000, "lower")).toBe("20.0x lower (better)");
    expect(verdict(2000, 1000, "lower")).toBe("2.00x higher (worse)");
    expect(verdict(400, 100, "higher")).toBe("4.00x higher (better)");
    expect(verdict(25, 100, "higher")).toBe("4.00x lower (worse)");
    expect(verdict(5, 5, "lower")).toBe("1.00x higher");
    expect(verdict(5, undefined, "lower")).toBe("");
  });

  it("numbers keep about three significant digits", () => {
    expect(formatNumber(12345.6)).toBe("12346");
    expect(formatNumber(123.4)).toBe("123");
    expect(formatNumber(12.34)).toBe("12.3");
    expect(formatNumber(1.234)).toBe("1.23");
    expect(formatNumber(0.01234)).toBe("0.0123");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(undefined)).toBe("-");
  });

  it("prints one aligned table, n/a with a numbered reason when a figure is missing", () => {
    const text = formatTable([
      { scenario: "cold start", unit: "ms", better: "lower", ours: 250, peer: 13000 },
      { scenario: "idle RSS", unit: "MB", better: "lower", ours: 60, peerNote: "not installed: timeout" },
      { scenario: "messages/s", unit: "msg/s", better: "higher", ours: 900, peer: 30 },
      { scenario: "RSS, Discord", unit: "MB", better: "lower", ours: 80, peerNote: "not installed: timeout" },
      { scenario: "e2e", unit: "msg/s", better: "higher", oursNote: "no replies", peer: 3 },
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^\| scenario +\| ours +\| OpenClaw +\| ours\/OpenClaw +\| we are +\|$/);
    expect(new Set(lines.slice(0, 7).map((l) => l.length)).size).toBe(1);
    expect(lines[2]).toContain("| 250 ms ");
    expect(lines[2]).toContain("| 13000 ms ");
    expect(lines[2]).toContain("| 0.0192 ");
    expect(lines[2]).toContain("52.0x lower (better)");
    expect(lines[3]).toContain("| n/a [1] ");
    expect(lines[4]).toContain("30.0x higher (better)");
    expect(lines[5]).toContain("| n/a [1] ");
    expect(lines[6]).toMatch(/^\| e2e +\| n\/a \[2\] +\| 3.00 msg\/s +\| - +\| +\|$/);
    expect(lines.slice(-3)).toEqual(["", "[1] OpenClaw: not installed: timeout", "[2] ours: no replies"]);
  });
});
