import { describe, expect, it } from "vitest";
import { channelsSchema } from "../config/schema/channels.js";
import { BUILTIN_CHANNEL_NAMES, BUILTIN_CHANNELS } from "./registry.js";

describe("channel registry", () => {
  it("has one entry per built-in channel section of the config schema, in order", () => {
    const shape = channelsSchema.full().shape as Record<string, unknown>;
    expect(BUILTIN_CHANNEL_NAMES).toEqual(["discord", "telegram", "whatsapp", "signal", "slack"]);
    for (const def of BUILTIN_CHANNELS) {
      // The very schema the config loader uses for channels.<name>, not a copy.
      expect((shape[def.name] as { unwrap(): unknown }).unwrap(), def.name).toBe(def.section());
      expect(typeof def.create).toBe("function");
    }
  });

  it.each([
    ["discord", { textChunkLimit: 2000, retry: { attempts: 2 } }, true],
    ["discord", { textChunkLimit: 2001 }, false],
    ["telegram", { textChunkLimit: 4096 }, true],
    ["telegram", { textChunkLimit: 4097 }, false],
    ["whatsapp", { textChunkLimit: 19 }, false],
    ["signal", { account: "+15551234567", textChunkLimit: 20 }, true],
    ["slack", { textChunkLimit: 40_000, channels: { C1: { requireMention: false } } }, true],
    ["slack", { textChunkLimit: 40_001 }, false],
    ["slack", { mode: "http" }, false],
    ["slack", { mode: "http", signingSecret: "s" }, true],
    ["slack", { mode: "relay" }, false],
  ])("%s section %j parses: %s", (name, section, ok) => {
    const def = BUILTIN_CHANNELS.find((c) => c.name === name)!;
    expect(def.section().safeParse(section).success).toBe(ok);
  });
});
