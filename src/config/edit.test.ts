import { describe, expect, it } from "vitest";
import { applyMergePatch, getAtPath, parseConfigPath, setAtPath, unsetAtPath } from "./edit.js";

describe("config paths", () => {
  it.each<[string, (string | number)[]]>([
    ["gateway.port", ["gateway", "port"]],
    ["agents.list[0].id", ["agents", "list", 0, "id"]],
    [
      'channels.discord.guilds["123"].channels.general.allow',
      ["channels", "discord", "guilds", "123", "channels", "general", "allow"],
    ],
    ["plugins.entries['voice-call'].enabled", ["plugins", "entries", "voice-call", "enabled"]],
    ['auth.profiles["anthropic:default"]', ["auth", "profiles", "anthropic:default"]],
  ])("parses %s", (text, keys) => {
    expect(parseConfigPath(text)).toEqual(keys);
  });

  it.each(["", "a..b", "a.", "a[x]", "a[0"])("rejects %j", (text) => {
    expect(() => parseConfigPath(text)).toThrow(/invalid config path/);
  });

  it("sets, creating objects and lists on the way, without touching the input", () => {
    const doc = { gateway: { mode: "local" } };
    const next = setAtPath(doc, parseConfigPath("agents.list[0].id"), "main");
    expect(next).toEqual({ gateway: { mode: "local" }, agents: { list: [{ id: "main" }] } });
    expect(doc).toEqual({ gateway: { mode: "local" } });
    expect(getAtPath(next, ["agents", "list", 0, "id"])).toBe("main");
  });

  it("unsets keys and list items", () => {
    const doc = { a: { b: 1, c: 2 }, l: [1, 2, 3] };
    expect(unsetAtPath(doc, ["a", "b"])).toEqual({ document: { a: { c: 2 }, l: [1, 2, 3] }, removed: true });
    expect(unsetAtPath(doc, ["l", 1]).document.l).toEqual([1, 3]);
    expect(unsetAtPath(doc, ["x", "y"]).removed).toBe(false);
  });
});

describe("merge patch", () => {
  it("merges objects, deletes on null, replaces arrays", () => {
    const target = { gateway: { port: 1, bind: "lan" }, list: [1, 2], keep: true };
    const patch = { gateway: { port: null, mode: "local" }, list: [3] };
    expect(applyMergePatch(target, patch)).toEqual({
      gateway: { bind: "lan", mode: "local" },
      list: [3],
      keep: true,
    });
  });
});
