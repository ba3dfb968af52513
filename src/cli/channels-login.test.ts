import { describe, expect, it } from "vitest";
import { renderQr } from "./channels-login.js";

describe("channels login QR rendering", () => {
  it("draws a WhatsApp-sized QR code in half blocks, one square of text", async () => {
    const qr = `2@${"A".repeat(180)},${"B".repeat(44)},${"C".repeat(44)},${"D".repeat(24)}`;
    const lines = (await renderQr(qr)).trimEnd().split("\n");
    // Two QR rows per line: about half as many lines as columns.
    expect(lines.length).toBeGreaterThan(20);
    expect(Math.abs(lines[0]!.length / 2 - lines.length)).toBeLessThanOrEqual(2);
    expect(lines.join("")).toMatch(/^[█▀▄ ]+$/);
  });
});
