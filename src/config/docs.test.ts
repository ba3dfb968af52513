import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderConfigDocs } from "./docs.js";

describe("docs/configuration.md", () => {
  it("is up to date with the schema (run `npm run docs:config`)", async () => {
    const committed = await readFile(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    expect(committed).toBe(renderConfigDocs());
  });

  it("documents every key of the Fly.io guide example", () => {
    const docs = renderConfigDocs();
    for (const key of [
      "agents.defaults.model",
      "agents.defaults.maxConcurrent",
      "agents.list[].default",
      "auth.profiles.<id>.mode",
      "bindings[].match.channel",
      "channels.discord.guilds.<id>.channels.<id>.allow",
      "channels.discord.guilds.<id>.requireMention",
      "gateway.bind",
      "meta.lastTouchedVersion",
      "plugins.entries.<id>.config",
    ]) {
      expect(docs).toContain(`| \`${key}\` |`);
    }
  });
});
