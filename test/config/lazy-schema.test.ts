/**
 * The config schema is built lazily (#23): validating a config builds the schema of the
 * sections it has and nothing else, and gives exactly what the whole zod object gives.
 */
import { readFileSync } from "node:fs";
import JSON5 from "json5";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { configErrorMap } from "../../src/config/issues.js";

const FLY_GUIDE = JSON5.parse(
  readFileSync(new URL("../fixtures/fly-guide.json5", import.meta.url), "utf8"),
) as Record<string, unknown>;

/** A fresh module graph, so nothing was built by an earlier test. */
async function freshSchema() {
  vi.resetModules();
  const lazy = await import("../../src/config/schema/lazy.js");
  const load = await import("../../src/config/load.js");
  const { configSchema } = await import("../../src/config/schema.js");
  const { CHANNEL_SECTIONS } = await import("../../src/config/schema/channels.js");
  return { built: lazy.builtSchemas, load, configSchema, channelNames: Object.keys(CHANNEL_SECTIONS) };
}

/** The root sections and built-in channels whose schema has been built. */
function builtSections(built: ReadonlySet<string>, rootKeys: readonly string[], channels: readonly string[]) {
  return {
    root: rootKeys.filter((key) => built.has(`config.${key}`)),
    channels: channels.filter((name) => built.has(`channels.${name}`)),
    whole: [...built].filter((name) => name.endsWith("(whole)")),
  };
}

describe("lazily built config schema", () => {
  beforeEach(() => {
    vi.resetModules();
  });

  it("builds nothing when the modules load, and no section a config lacks when it is validated", async () => {
    const { built, load, configSchema, channelNames } = await freshSchema();
    expect(built.size).toBe(0);
    load.parseConfigText("openclaw.json", JSON.stringify({ gateway: { mode: "local", port: 18789 } }), {});
    expect(builtSections(built, configSchema.keys, channelNames)).toEqual({
      root: ["gateway"],
      channels: [],
      whole: [],
    });
    // Shared blocks only sections use (model refs, DM policies, URLs) are not built either.
    expect([...built].filter((name) => name.startsWith("common."))).toEqual([]);
  });

  it("builds only the channel a config has, among the built-in ones", async () => {
    const { built, load, configSchema, channelNames } = await freshSchema();
    const config = {
      gateway: { mode: "local" },
      channels: { discord: { enabled: true, groupPolicy: "allowlist" } },
    };
    load.parseConfigText("openclaw.json", JSON.stringify(config), {});
    expect(builtSections(built, configSchema.keys, channelNames)).toEqual({
      root: ["gateway"],
      channels: ["discord"],
      whole: [],
    });
  });

  it("builds the whole schema for the JSON Schema", async () => {
    const { built, configSchema, channelNames } = await freshSchema();
    const { buildConfigJsonSchema } = await import("../../src/config/json-schema.js");
    buildConfigJsonSchema();
    const sections = builtSections(built, configSchema.keys, channelNames);
    expect(sections.root).toEqual(configSchema.keys.filter((key) => key !== "channels"));
    expect(sections.channels).toEqual(channelNames);
  });

  it("has only optional fields at the root and in channels (an absent one is never checked)", async () => {
    const { configSchema } = await freshSchema();
    const { channelsSchema } = await import("../../src/config/schema/channels.js");
    for (const object of [configSchema, channelsSchema]) {
      for (const [key, field] of Object.entries(object.full().shape)) {
        expect((field as { _zod: { optin?: string } })._zod.optin, key).toBe("optional");
      }
    }
  });

  const INPUTS: [string, unknown][] = [
    ["the Fly guide", FLY_GUIDE],
    ["an empty object", {}],
    ["not an object", ["gateway"]],
    ["null", null],
    ["unknown keys at the root and in channels", { gatway: {}, channels: { discrod: {}, slack: {} } }],
    [
      "errors in several sections, then an unknown key",
      {
        agents: { list: [{ id: "a" }, { id: "a" }] },
        zzz: 1,
        gateway: { bind: "lan", auth: { token: "short" } },
        channels: { telegram: { webhookUrl: "https://x.example/hook" }, discord: { dmPolicy: "open" } },
      },
    ],
    ["a section that is not an object", { channels: "discord", cron: [] }],
    ["present but undefined sections", { channels: undefined, gateway: undefined }],
    ["an own __proto__ key", JSON.parse('{"__proto__": {"x": 1}, "gateway": {"mode": "local"}}')],
    [
      "a transform (peer kind dm)",
      { bindings: [{ agentId: "a", match: { channel: "x", peer: { kind: "dm", id: 1 } } }] },
    ],
  ];

  it.each(INPUTS)("validates %s exactly as the whole zod object does", async (_, input) => {
    const { configSchema } = await freshSchema();
    const lazy = configSchema.safeParse(structuredClone(input), { error: configErrorMap });
    const whole = configSchema.full().safeParse(structuredClone(input), { error: configErrorMap });
    expect(lazy.success).toBe(whole.success);
    if (lazy.success && whole.success) {
      expect(lazy.data).toEqual(whole.data);
      expect(Object.keys(lazy.data)).toEqual(Object.keys(whole.data));
    } else {
      expect(lazy.error?.issues).toEqual(whole.error?.issues);
    }
  });
});
