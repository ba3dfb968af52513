import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/load.js";
import { PROVIDER_ENV_KEYS } from "../../src/providers/env-api-keys.js";
import { MissingApiKeyError } from "../../src/providers/errors.js";
import { createFailover } from "../../src/providers/failover.js";
import { createModelRegistry, type ProvidersConfig } from "../../src/providers/registry.js";
import type { FakeServer } from "../fakes/server.js";
import { API_CASES, collect, last } from "./harness.js";

/** `(provider, env var)` pairs from the "key from env" column of docs/providers.md's table. */
function documentedEnvKeys(): [string, string][] {
  const doc = readFileSync(new URL("../../docs/providers.md", import.meta.url), "utf8");
  const rows = doc.split("\n").filter((line) => /^\| `[a-z0-9-]+`\s+\|/.test(line));
  return rows.flatMap((row) => {
    const cells = row.split("|").map((c) => c.trim());
    const provider = cells[1]!.replaceAll("`", "");
    return [...cells[4]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m): [string, string] => [provider, m[1]!]);
  });
}

const DOCUMENTED = documentedEnvKeys();
const fakes = new Map<string, FakeServer>();

beforeAll(async () => {
  for (const c of API_CASES) {
    const fake = await c.start();
    fake.setDefault({ text: "hello" });
    fakes.set(c.api, fake);
  }
});
afterAll(async () => {
  await Promise.all([...fakes.values()].map((f) => f.close()));
});

describe("provider env variables: the docs, the table and the live lookup agree", () => {
  it("docs/providers.md lists exactly the table's variables", () => {
    expect(DOCUMENTED.length).toBeGreaterThanOrEqual(9);
    const table = Object.entries(PROVIDER_ENV_KEYS).flatMap(([p, names]) => names.map((n) => [p, n]));
    expect(DOCUMENTED).toEqual(table);
  });

  it.each(DOCUMENTED)("%s answers with only %s set: the key reaches the endpoint", async (provider, name) => {
    const key = `key-${name.toLowerCase()}-123456`;
    // Only the endpoint moves to the fake; the API and the env variable are the built-in ones.
    const api = createModelRegistry({}, { env: {} }).resolve({ provider, model: "m" }).api;
    const api_case = API_CASES.find((c) => c.api === api)!;
    const fake = fakes.get(api)!;
    const config: ProvidersConfig = {
      models: { providers: { [provider]: { baseUrl: api_case.baseUrl(fake) } } },
    };
    const registry = createModelRegistry(config, { env: { [name]: key } });
    expect(registry.credentials(provider)).toEqual([{ key, source: `env ${name}` }]);
    const before = fake.requests.length;
    const events = await collect(
      createFailover({ registry }).stream({
        models: [{ provider, model: "some-model" }],
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(last(events).type).toBe("done");
    expect(api_case.keyOf(fake.requests[before]!.headers)).toBe(key);
  });

  it("a variable in the config's env section works too; the process environment wins", () => {
    const config = { env: { vars: { OPENROUTER_API_KEY: "from-config-123456" } } } as ProvidersConfig;
    expect(createModelRegistry(config, { env: {} }).credentials("openrouter")[0]?.source).toBe(
      "env OPENROUTER_API_KEY",
    );
    const both = createModelRegistry(config, { env: { OPENROUTER_API_KEY: "from-process-123456" } });
    expect(both.credentials("openrouter").map((c) => c.key)).toEqual(["from-process-123456"]);
    // GOOGLE_API_KEY comes first for google, wherever each is set.
    const google = { env: { vars: { GOOGLE_API_KEY: "g-config-123456" } } } as ProvidersConfig;
    expect(
      createModelRegistry(google, { env: { GEMINI_API_KEY: "g-process-123456" } }).credentials("google")[0],
    ).toEqual({ key: "g-config-123456", source: "env GOOGLE_API_KEY" });
  });
});

describe("custom providers' keys", () => {
  it("a custom provider with a table id keeps the table's variable", () => {
    const registry = createModelRegistry(
      { models: { providers: { openrouter: { baseUrl: "http://127.0.0.1:9/v1" } } } },
      { env: { OPENROUTER_API_KEY: "or-key-123456" } },
    );
    expect(registry.credentials("openrouter")).toEqual([
      { key: "or-key-123456", source: "env OPENROUTER_API_KEY" },
    ]);
  });

  it('any other id takes its key as apiKey: "${VAR}", read from the environment at load (OpenClaw\'s way)', () => {
    const text = JSON.stringify({
      models: { providers: { litellm: { baseUrl: "http://127.0.0.1:4000/v1", apiKey: "${LITELLM_KEY}" } } },
    });
    const config = parseConfigText("openclaw.json", text, { LITELLM_KEY: "lt-key-123456" });
    const registry = createModelRegistry(config as ProvidersConfig, { env: {} });
    expect(registry.credentials("litellm")).toEqual([
      { key: "lt-key-123456", source: "models.providers.litellm.apiKey" },
    ]);
    expect(() => parseConfigText("openclaw.json", text, {})).toThrow(/LITELLM_KEY/);
  });

  it("without one, the error says how to write it; no variable is guessed for it", () => {
    const registry = createModelRegistry(
      { models: { providers: { "my-proxy": { baseUrl: "http://127.0.0.1:4000/v1" } } } },
      { env: { MY_PROXY_API_KEY: "not-read-123456" } },
    );
    expect(registry.credentials("my-proxy")).toEqual([]);
    expect(() => registry.requireCredentials("my-proxy")).toThrow(MissingApiKeyError);
    expect(() => registry.requireCredentials("my-proxy")).toThrow(
      'set models.providers.my-proxy.apiKey (e.g. "${MY_PROXY_API_KEY}" to read it from the environment)',
    );
  });
});
