import { describe, expect, it } from "vitest";
import { formatPath as serverFormatPath } from "../../src/config/issues.js";
import { formatPath, isWithin, matchesHint, setAt, splitProblem } from "../../ui/src/config/paths.js";

describe("Control UI config paths", () => {
  it.each([
    [["gateway", "port"]],
    [["agents", "list", 0, "id"]],
    [["channels", "discord", "guilds", "123", "channels", "general"]],
    [["auth", "profiles", "anthropic:default", "mode"]],
    [[]],
  ])("spells %j as the gateway does", (at) => {
    expect(formatPath(at)).toBe(serverFormatPath(at));
  });

  it.each([
    ["gateway.port: must be ≤ 65535 (got 70000)", "gateway.port", "must be ≤ 65535 (got 70000)"],
    [
      'channels.discord.guilds["1: 2"].requireMention: expected true or false',
      'channels.discord.guilds["1: 2"].requireMention',
      "expected true or false",
    ],
    ["agents.list[0].id: is required", "agents.list[0].id", "is required"],
    ["(root): expected an object", "(root)", "expected an object"],
    [
      "not valid JSON5: invalid character 'x' at 1:3",
      undefined,
      "not valid JSON5: invalid character 'x' at 1:3",
    ],
  ])("splits %s", (problem, path, message) => {
    expect(splitProblem(problem)).toEqual(path ? { path, message } : { message });
  });

  it("knows what lies within a path, and which paths are secret", () => {
    expect(isWithin("agents.list[0].id", "agents.list")).toBe(true);
    expect(isWithin("agents.listing", "agents.list")).toBe(false);
    expect(matchesHint('channels.discord.guilds["1"].token', ["channels.discord.guilds.*.token"])).toBe(true);
    expect(matchesHint("models.providers.anthropic.apiKey", ["models.providers.*.apiKey"])).toBe(true);
    expect(matchesHint("gateway.port", ["models.providers.*.apiKey"])).toBe(false);
  });

  it("sets and removes values without touching the original", () => {
    const doc = { gateway: { mode: "local" } };
    expect(setAt(doc, ["gateway", "port"], 3000)).toEqual({ gateway: { mode: "local", port: 3000 } });
    expect(setAt(doc, ["gateway", "mode"], undefined)).toEqual({});
    expect(doc).toEqual({ gateway: { mode: "local" } });
  });
});
