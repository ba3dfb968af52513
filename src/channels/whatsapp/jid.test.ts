import { describe, expect, it } from "vitest";
import { bareJid, jidToE164, normalizeE164, toJid } from "./jid.js";

describe("whatsapp JIDs ↔ E.164", () => {
  it.each([
    ["15551234567@s.whatsapp.net", "+15551234567"],
    ["15551234567:12@s.whatsapp.net", "+15551234567"],
    ["123456789@lid", undefined],
    ["120363040000000000@g.us", undefined],
    [undefined, undefined],
  ])("jidToE164(%s) = %s", (jid, e164) => {
    expect(jidToE164(jid)).toBe(e164);
  });

  it.each([
    ["+15551234567", "15551234567@s.whatsapp.net"],
    ["+1 (555) 123-4567", "15551234567@s.whatsapp.net"],
    ["120363040000000000@g.us", "120363040000000000@g.us"],
  ])("toJid(%s) = %s", (target, jid) => {
    expect(toJid(target)).toBe(jid);
  });

  it("rejects a target that is no phone number", () => {
    expect(() => toJid("bob")).toThrow(/not a phone number/);
  });

  it("normalizes loosely written allowFrom entries, keeping * and JIDs", () => {
    expect(["+1 555 123 4567", "15551234567", "*", "x@g.us"].map(normalizeE164)).toEqual([
      "+15551234567",
      "+15551234567",
      "*",
      "x@g.us",
    ]);
  });

  it("drops the device suffix", () => {
    expect(bareJid("15551234567:3@s.whatsapp.net")).toBe("15551234567@s.whatsapp.net");
  });
});
