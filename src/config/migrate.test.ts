import { describe, expect, it } from "vitest";
import { parseConfigText } from "./load.js";
import { migrateLegacyConfig, stripUnknownKeys } from "./migrate.js";

describe("legacy config migration", () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      "routing.bindings → bindings",
      { routing: { bindings: [{ agentId: "a", match: { channel: "discord" } }] } },
      { bindings: [{ agentId: "a", match: { channel: "discord" } }] },
    ],
    [
      "agent.model and modelFallbacks → agents.defaults.model",
      { agent: { model: "anthropic/x", modelFallbacks: ["openai/y"], maxConcurrent: 2 } },
      {
        agents: {
          defaults: { model: { primary: "anthropic/x", fallbacks: ["openai/y"] }, maxConcurrent: 2 },
        },
      },
    ],
    [
      "gateway.token → gateway.auth.token",
      { gateway: { token: "t" } },
      { gateway: { auth: { token: "t" } } },
    ],
    [
      "reload hot → hybrid",
      { gateway: { reload: { mode: "hot" } } },
      { gateway: { reload: { mode: "hybrid" } } },
    ],
    [
      "reload restart → hybrid",
      { gateway: { reload: { mode: "restart" } } },
      { gateway: { reload: { mode: "hybrid" } } },
    ],
    ["bind 0.0.0.0 → lan", { gateway: { bind: "0.0.0.0" } }, { gateway: { bind: "lan" } }],
    [
      "match.accountID → accountId",
      { bindings: [{ agentId: "a", match: { channel: "x", accountID: "w" } }] },
      { bindings: [{ agentId: "a", match: { channel: "x", accountId: "w" } }] },
    ],
  ])("%s", (_name, legacy, expected) => {
    const { document, changes } = migrateLegacyConfig(legacy);
    expect(document).toEqual(expected);
    expect(changes.length).toBeGreaterThan(0);
    expect(() => parseConfigText("openclaw.json", JSON.stringify(document), {})).not.toThrow();
  });

  it("leaves a current config alone", () => {
    const current = { agents: { defaults: { model: "a/b" } }, gateway: { mode: "local" } };
    expect(migrateLegacyConfig(current)).toEqual({ document: current, changes: [] });
  });

  it("strips unknown keys at any depth, keeping plugin-owned sections", () => {
    const doc = {
      wizzard: 1,
      gateway: { mode: "local", bogus: true },
      plugins: { entries: { x: { config: { any: 1 } } } },
    };
    expect(stripUnknownKeys(doc, "/tmp/openclaw.json")).toEqual({
      document: { gateway: { mode: "local" }, plugins: { entries: { x: { config: { any: 1 } } } } },
      removed: ["gateway.bogus", "wizzard"],
    });
  });
});
