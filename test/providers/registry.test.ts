import { describe, expect, it } from "vitest";
import { MissingApiKeyError, ModelConfigError } from "../../src/providers/errors.js";
import { createModelRegistry, type ProfileSecrets } from "../../src/providers/registry.js";

const noEnv = {};

describe("model refs", () => {
  const registry = createModelRegistry(
    {
      agents: {
        defaults: {
          model: { primary: "opus", fallbacks: ["openai/gpt-5.2", "openrouter/meta-llama/llama-3.1-8b"] },
          models: { "anthropic/claude-opus-4-6": { alias: "opus" } },
        },
      },
    },
    { env: noEnv },
  );

  it.each([
    ["anthropic/claude-opus-4-6", { provider: "anthropic", model: "claude-opus-4-6" }],
    ["openrouter/meta-llama/llama-3.1-8b", { provider: "openrouter", model: "meta-llama/llama-3.1-8b" }],
    ["claude-sonnet-4-5", { provider: "anthropic", model: "claude-sonnet-4-5" }],
    ["opus", { provider: "anthropic", model: "claude-opus-4-6" }],
    [" OPUS ", { provider: "anthropic", model: "claude-opus-4-6" }],
  ])("parses %j", (raw, ref) => {
    expect(registry.parseRef(raw)).toEqual(ref);
  });

  it.each(["/gpt", "openai/", ""])("rejects %j with a fix-it message", (raw) => {
    expect(() => registry.parseRef(raw)).toThrow(/use provider\/model/);
  });

  it("reads the default chain from agents.defaults.model, aliases resolved", () => {
    expect(registry.defaultChain()).toEqual([
      { provider: "anthropic", model: "claude-opus-4-6" },
      { provider: "openai", model: "gpt-5.2" },
      { provider: "openrouter", model: "meta-llama/llama-3.1-8b" },
    ]);
  });
});

describe("providers", () => {
  it("knows the built-in providers with their endpoints, APIs and catalogue", () => {
    const registry = createModelRegistry({}, { env: noEnv });
    expect(registry.resolve({ provider: "anthropic", model: "claude-opus-4-6" })).toMatchObject({
      api: "anthropic-messages",
      baseUrl: "https://api.anthropic.com",
      contextWindow: 200_000,
      input: ["text", "image"],
    });
    expect(registry.resolve({ provider: "openai", model: "gpt-5.2" })).toMatchObject({
      api: "openai-responses",
      baseUrl: "https://api.openai.com/v1",
    });
    expect(registry.resolve({ provider: "google", model: "gemini-2.5-pro" })).toMatchObject({
      api: "google-generative-ai",
      contextWindow: 1_048_576,
    });
    expect(registry.list().length).toBeGreaterThanOrEqual(8);
  });

  it("gives uncatalogued ids of a known provider conservative defaults", () => {
    const registry = createModelRegistry({}, { env: noEnv });
    expect(registry.resolve({ provider: "openai", model: "gpt-9" })).toMatchObject({
      contextWindow: 128_000,
      input: ["text"],
    });
  });

  it("points a built-in provider elsewhere when only its baseUrl is set, keeping its catalogue", () => {
    const registry = createModelRegistry(
      { models: { providers: { anthropic: { baseUrl: "http://127.0.0.1:9999/" } } } },
      { env: noEnv },
    );
    expect(registry.resolve({ provider: "anthropic", model: "claude-haiku-4-5" })).toMatchObject({
      api: "anthropic-messages",
      baseUrl: "http://127.0.0.1:9999",
      contextWindow: 200_000,
    });
    expect(registry.list().filter((m) => m.ref.provider === "anthropic")).toHaveLength(4);
  });

  it("adds custom providers from models.providers (default api openai-completions)", () => {
    const registry = createModelRegistry(
      {
        models: {
          providers: {
            "custom-proxy": {
              baseUrl: "http://localhost:4000/v1",
              apiKey: "sk-proxy-abcdef",
              headers: { "x-team": "a" },
              models: [{ id: "llama-3.1-8b", contextWindow: 32_000, input: ["text"] }],
            },
          },
        },
      },
      { env: noEnv },
    );
    expect(registry.resolve(registry.parseRef("custom-proxy/llama-3.1-8b"))).toEqual({
      ref: { provider: "custom-proxy", model: "llama-3.1-8b" },
      api: "openai-completions",
      baseUrl: "http://localhost:4000/v1",
      headers: { "x-team": "a" },
      contextWindow: 32_000,
      maxTokens: 8_192,
      input: ["text"],
    });
    expect(registry.credentials("custom-proxy")).toEqual([
      { key: "sk-proxy-abcdef", source: "models.providers.custom-proxy.apiKey" },
    ]);
  });

  it("rejects a custom provider without baseUrl or with an unknown api, and unknown providers", () => {
    expect(() =>
      createModelRegistry({ models: { providers: { x: { api: "openai-completions" } } } }),
    ).toThrow("models.providers.x needs a baseUrl");
    expect(() =>
      createModelRegistry({ models: { providers: { x: { baseUrl: "http://h", api: "soap" as never } } } }),
    ).toThrow(/api "soap" is not supported/);
    expect(() => createModelRegistry({}).resolve({ provider: "nope", model: "m" })).toThrow(ModelConfigError);
  });
});

describe("API keys", () => {
  const profiles: ProfileSecrets = {
    idsFor: (p) => (p === "anthropic" ? ["anthropic:work", "anthropic:home"] : []),
    secretOf: (id) => ({ "anthropic:work": "sk-work-123456", "anthropic:home": "sk-home-123456" })[id],
  };

  it("resolves auth profiles (auth.order first), then env, then models.providers.*.apiKey", () => {
    const registry = createModelRegistry(
      {
        auth: { order: { anthropic: ["anthropic:home", "anthropic:work"] } },
        models: { providers: { anthropic: { apiKey: "sk-config-123456" } } },
      },
      { env: { ANTHROPIC_API_KEY: "sk-env-123456" } },
    );
    expect(registry.credentials("anthropic", profiles).map((c) => c.source)).toEqual([
      "auth profile anthropic:home",
      "auth profile anthropic:work",
      "env ANTHROPIC_API_KEY",
      "models.providers.anthropic.apiKey",
    ]);
  });

  it("takes GOOGLE_API_KEY or GEMINI_API_KEY for google, and drops duplicate keys", () => {
    const registry = createModelRegistry(
      { models: { providers: { google: { apiKey: "g-key-123456" } } } },
      { env: { GEMINI_API_KEY: "g-key-123456" } },
    );
    expect(registry.credentials("google")).toEqual([{ key: "g-key-123456", source: "env GEMINI_API_KEY" }]);
  });

  it.each([
    [
      "anthropic",
      /set ANTHROPIC_API_KEY, add an auth profile "anthropic:default" to agents\/ops\/agent\/auth-profiles\.json/,
    ],
    ["google", /set GOOGLE_API_KEY or GEMINI_API_KEY/],
    ["openai", /OPENAI_API_KEY.*models\.providers\.openai\.apiKey/],
  ])("a missing %s key names what to set", (provider, message) => {
    const registry = createModelRegistry({}, { env: noEnv, agentId: "ops" });
    expect(() => registry.requireCredentials(provider)).toThrow(MissingApiKeyError);
    expect(() => registry.requireCredentials(provider)).toThrow(message);
  });
});
