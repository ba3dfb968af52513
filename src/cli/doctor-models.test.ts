import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import type { OpenClawConfig } from "../config/schema.js";
import { checkModelKeys, checkProviderApis } from "./doctor-models.js";

describe("doctor: model keys, from the provider table", () => {
  const stateDir = tempDir();

  it("with no model set, names the providers whose variable is set (names, never values)", async () => {
    const findings = await checkModelKeys({}, { OPENROUTER_API_KEY: "or-secret-123456" }, stateDir);
    expect(findings).toEqual([
      { severity: "ok", check: "model keys", message: "keys for openrouter (env OPENROUTER_API_KEY)" },
    ]);
    expect(JSON.stringify(findings)).not.toContain("or-secret");
  });

  it("with no key at all, warns with the starter variables", async () => {
    const [finding] = await checkModelKeys({}, {}, stateDir);
    expect(finding).toMatchObject({ severity: "warn" });
    expect(finding!.message).toContain("ANTHROPIC_API_KEY, OPENAI_API_KEY or GOOGLE_API_KEY");
  });

  it("each provider of the configured chain needs a key; the error names its variable", async () => {
    const config = {
      agents: { defaults: { model: { primary: "xai/grok-4", fallbacks: ["deepseek/deepseek-chat"] } } },
    } as OpenClawConfig;
    const findings = await checkModelKeys(config, { DEEPSEEK_API_KEY: "ds-123456" }, stateDir);
    expect(findings).toEqual([
      { severity: "error", check: "model keys", message: expect.stringContaining("set XAI_API_KEY") },
      { severity: "ok", check: "model keys", message: "deepseek: env DEEPSEEK_API_KEY" },
    ]);
  });
});

describe("doctor: a provider entry that means different APIs to OpenClaw and to us", () => {
  it("warns for anthropic with only baseUrl (ours: Anthropic Messages, OpenClaw: OpenAI completions)", () => {
    const config = {
      models: { providers: { anthropic: { baseUrl: "http://127.0.0.1:4000" } } },
    } as OpenClawConfig;
    const [finding] = checkProviderApis(config);
    expect(finding).toMatchObject({ severity: "warn", check: "models" });
    expect(finding!.message).toContain("anthropic-messages");
    expect(finding!.message).toContain("set models.providers.anthropic.api");
  });

  it("is quiet once api is named, and for providers both read alike", () => {
    const config = {
      models: {
        providers: {
          anthropic: { baseUrl: "http://127.0.0.1:4000", api: "anthropic-messages" },
          local: { baseUrl: "http://127.0.0.1:4001/v1" },
        },
      },
    } as OpenClawConfig;
    expect(checkProviderApis(config)).toEqual([]);
  });
});
