import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configureLogging, type LogRecord, onLogRecord } from "../../src/infra/logger.js";
import { authProfilesPath, createAuthProfileStore } from "../../src/providers/auth-profiles.js";
import { MissingApiKeyError } from "../../src/providers/errors.js";
import { createFailover, type FailoverOptions, type FallbackStep } from "../../src/providers/failover.js";
import { createModelRegistry, type ProvidersConfig } from "../../src/providers/registry.js";
import type { ModelRef, StreamEvent } from "../../src/providers/types.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeGemini } from "../fakes/gemini.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer, Script } from "../fakes/server.js";
import { collect, last, textOf } from "./harness.js";

const KEYS = {
  ANTHROPIC_API_KEY: "sk-ant-env-123456",
  OPENAI_API_KEY: "sk-oai-env-123456",
  GEMINI_API_KEY: "g-env-123456",
};
const PRIMARY: ModelRef = { provider: "anthropic", model: "claude-opus-4-6" };
const FALLBACK: ModelRef = { provider: "openai", model: "gpt-5.2" };
const SECOND_FALLBACK: ModelRef = { provider: "google", model: "gemini-2.5-flash" };

let anthropic: FakeServer;
let openai: FakeServer;
let gemini: FakeServer;
let logs: LogRecord[];
let stopLogs: () => void;
let clock: number;

beforeAll(async () => {
  // Records still reach onLogRecord below; the console stays quiet.
  configureLogging({ consoleLevel: "error" });
  [anthropic, openai, gemini] = await Promise.all([
    startFakeAnthropic(),
    startFakeOpenAI(),
    startFakeGemini(),
  ]);
  anthropic.setDefault({ text: "from anthropic" });
  openai.setDefault({ text: "from openai" });
  gemini.setDefault({ text: "from gemini" });
});
afterAll(async () => {
  configureLogging({ consoleLevel: "info" });
  await Promise.all([anthropic.close(), openai.close(), gemini.close()]);
});
beforeEach(() => {
  for (const fake of [anthropic, openai, gemini]) fake.requests.length = 0;
  clock = 1_000_000;
  logs = [];
  stopLogs = onLogRecord((r) => logs.push(r));
});
afterEach(() => stopLogs());

/** Built-in providers pointed at the fakes by baseUrl alone. */
function config(extra: ProvidersConfig = {}): ProvidersConfig {
  return {
    ...extra,
    models: {
      providers: {
        anthropic: { baseUrl: anthropic.url },
        openai: { baseUrl: `${openai.url}/v1` },
        google: { baseUrl: `${gemini.url}/v1beta` },
        ...extra.models?.providers,
      },
    },
  };
}

function failover(
  opts: Partial<FailoverOptions> & { env?: NodeJS.ProcessEnv; config?: ProvidersConfig } = {},
) {
  const registry = createModelRegistry(opts.config ?? config(), { env: opts.env ?? KEYS });
  return createFailover({ registry, now: () => clock, idleTimeoutMs: 500, ...opts });
}

const ask = (f: ReturnType<typeof createFailover>, models: ModelRef[] = [PRIMARY, FALLBACK]) =>
  collect(f.stream({ models, messages: [{ role: "user", content: "hi" }] }));

const answered = (events: StreamEvent[]) => {
  const end = last(events);
  return end.type === "done"
    ? `${end.answeredBy?.model.provider}`
    : `error:${end.type === "error" && end.error.kind}`;
};

describe("failover matrix: a fault on the primary", () => {
  it.each<{ fault: string; script: Script; outcome: string; primary: number; fallback: number }>([
    { fault: "none", script: { text: "from anthropic" }, outcome: "anthropic", primary: 1, fallback: 0 },
    {
      fault: "429 with retry-after",
      script: { status: 429, retryAfter: 1 },
      outcome: "openai",
      primary: 1,
      fallback: 1,
    },
    { fault: "529 overloaded", script: { status: 529 }, outcome: "openai", primary: 1, fallback: 1 },
    { fault: "500", script: { status: 500 }, outcome: "openai", primary: 1, fallback: 1 },
    { fault: "503", script: { status: 503 }, outcome: "openai", primary: 1, fallback: 1 },
    { fault: "401 (one key)", script: { status: 401 }, outcome: "openai", primary: 1, fallback: 1 },
    {
      fault: "slow first byte (timeout)",
      script: { slowMs: 10_000 },
      outcome: "openai",
      primary: 1,
      fallback: 1,
    },
    {
      fault: "stalls before the first token",
      script: { stall: "beforeFirstToken" },
      outcome: "openai",
      primary: 1,
      fallback: 1,
    },
    {
      fault: "stalls after the first token",
      script: { stall: "afterFirstToken" },
      outcome: "error:timeout",
      primary: 1,
      fallback: 0,
    },
    { fault: "connection reset", script: { reset: true }, outcome: "openai", primary: 1, fallback: 1 },
    {
      fault: "cut before the first token",
      script: { cut: "beforeFirstToken" },
      outcome: "openai",
      primary: 1,
      fallback: 1,
    },
    {
      fault: "malformed chunk before the first token",
      script: { malformed: "beforeFirstToken" },
      outcome: "openai",
      primary: 1,
      fallback: 1,
    },
    {
      fault: "400 request error",
      script: { status: 400 },
      outcome: "error:bad_request",
      primary: 1,
      fallback: 0,
    },
    {
      fault: "404 unknown model",
      script: { status: 404 },
      outcome: "error:bad_request",
      primary: 1,
      fallback: 0,
    },
    {
      fault: "cut after the first token",
      script: { cut: "afterFirstToken" },
      outcome: "error:connection",
      primary: 1,
      fallback: 0,
    },
    {
      fault: "malformed chunk after the first token",
      script: { malformed: "afterFirstToken" },
      outcome: "error:protocol",
      primary: 1,
      fallback: 0,
    },
  ])("$fault → $outcome", async ({ script, outcome, primary, fallback }) => {
    anthropic.enqueue(script);
    const events = await ask(failover());
    expect(answered(events)).toBe(outcome);
    expect(anthropic.requests).toHaveLength(primary);
    expect(openai.requests).toHaveLength(fallback);
    expect(events.filter((e) => e.type === "start")).toHaveLength(events[0]?.type === "start" ? 1 : 0);
  });

  it("tells who answered on start and done", async () => {
    anthropic.enqueue({ status: 529 });
    const events = await ask(failover());
    expect(events[0]).toEqual({ type: "start", answeredBy: { model: FALLBACK } });
    expect(last(events)).toMatchObject({ type: "done", answeredBy: { model: FALLBACK } });
    expect(textOf(events)).toBe("from openai");
    expect(logs.some((r) => r.msg === "answered by openai/gpt-5.2")).toBe(true);
  });

  it("ends a stream cut after its first token with an error that keeps the partial answer", async () => {
    anthropic.enqueue({ cut: "afterFirstToken" });
    const events = await ask(failover());
    expect(events[0]).toEqual({ type: "start", answeredBy: { model: PRIMARY } });
    expect(textOf(events)).toBe("partial ");
    expect(last(events)).toMatchObject({
      type: "error",
      error: { kind: "connection" },
      answeredBy: { model: PRIMARY },
      partial: { content: [{ type: "text", text: "partial " }] },
      usage: { input: 10 },
    });
  });

  it("goes down the whole chain, and reports the last error when every model fails", async () => {
    anthropic.enqueue({ status: 500 });
    openai.enqueue({ status: 429 });
    const events = await ask(failover(), [PRIMARY, FALLBACK, SECOND_FALLBACK]);
    expect(answered(events)).toBe("google");
    expect([anthropic.requests.length, openai.requests.length, gemini.requests.length]).toEqual([1, 1, 1]);

    anthropic.enqueue({ status: 500 });
    openai.enqueue({ status: 503 });
    const failed = await ask(failover());
    expect(last(failed)).toMatchObject({
      type: "error",
      error: { kind: "overloaded", status: 503 },
      answeredBy: { model: FALLBACK },
    });
    expect(last(failed).type === "error" && last(failed)).toMatchObject({
      error: { message: expect.stringMatching(/^every model failed; last error: 503/) },
    });
  });

  it("tells onFallback each move to another model, with what failed so far", async () => {
    anthropic.enqueue({ status: 529 });
    openai.enqueue({ status: 500 });
    const steps: FallbackStep[] = [];
    const f = failover();
    const events = await collect(
      f.stream(
        { models: [PRIMARY, FALLBACK, SECOND_FALLBACK], messages: [{ role: "user", content: "hi" }] },
        { onFallback: (step) => steps.push(step) },
      ),
    );
    expect(answered(events)).toBe("google");
    expect(steps.map((s) => [s.from.provider, s.to.provider])).toEqual([
      ["anthropic", "openai"],
      ["openai", "google"],
    ]);
    expect(steps.every((s) => s.selected === PRIMARY)).toBe(true);
    expect(steps[1]?.attempts.map((a) => [a.model.provider, a.error.kind, a.error.status])).toEqual([
      ["anthropic", "overloaded", 529],
      ["openai", "server", 500],
    ]);

    // The primary cools down now: the next request starts on the fallback and says so.
    const next: FallbackStep[] = [];
    for await (const _ of f.stream(
      { models: [PRIMARY, SECOND_FALLBACK], messages: [{ role: "user", content: "again" }] },
      { onFallback: (step) => next.push(step) },
    ));
    expect(next).toEqual([{ selected: PRIMARY, from: PRIMARY, to: SECOND_FALLBACK, attempts: [] }]);

    // A primary that answers: no step.
    clock += 3_600_000;
    const none: FallbackStep[] = [];
    await collect(
      f.stream(
        { models: [PRIMARY, FALLBACK], messages: [{ role: "user", content: "hi" }] },
        { onFallback: (s) => none.push(s) },
      ),
    );
    expect(none).toEqual([]);
  });

  it("never logs or returns a key, even one the API echoes back", async () => {
    anthropic.enqueue({ status: 401, message: `invalid x-api-key ${KEYS.ANTHROPIC_API_KEY}` });
    openai.enqueue({ status: 401, message: `Incorrect API key provided: ${KEYS.OPENAI_API_KEY}` });
    const events = await ask(failover());
    expect(last(events)).toMatchObject({
      type: "error",
      error: { kind: "auth", message: expect.stringMatching(/Incorrect API key provided: \*\*\*$/) },
    });
    expect(logs.length).toBeGreaterThan(0);
    const text = JSON.stringify(logs);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
  });
});

describe("cooldown", () => {
  it("skips a failing model for 1 min, then 5 min, then tries it again", async () => {
    const f = failover();
    anthropic.enqueue({ status: 500 });
    expect(answered(await ask(f))).toBe("openai");
    expect(answered(await ask(f))).toBe("openai");
    expect(anthropic.requests).toHaveLength(1);

    clock += 60_000;
    anthropic.enqueue({ status: 500 });
    expect(answered(await ask(f))).toBe("openai");
    expect(anthropic.requests).toHaveLength(2);

    clock += 60_000; // second failure: 5 minutes
    expect(answered(await ask(f))).toBe("openai");
    expect(anthropic.requests).toHaveLength(2);

    clock += 240_000;
    expect(answered(await ask(f))).toBe("anthropic");
  });

  it("still tries a cooling model when nothing else is left", async () => {
    const f = failover();
    anthropic.enqueue({ status: 500 });
    await ask(f);
    expect(answered(await ask(f, [PRIMARY]))).toBe("anthropic");
  });
});

describe("auth profile rotation", () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), "failover-"));
    const file = authProfilesPath(stateDir, "main");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        profiles: {
          "anthropic:a": { type: "api_key", provider: "anthropic", key: "sk-profile-a-123456" },
          "anthropic:b": { type: "token", provider: "anthropic", token: "sk-profile-b-123456" },
        },
      }),
    );
  });
  const stores: ReturnType<typeof createAuthProfileStore>[] = [];
  afterEach(async () => {
    // Usage stats are written behind the stream; let them land before removing the dir.
    await Promise.all(stores.splice(0).map((s) => s.flush()));
    await rm(stateDir, { recursive: true, force: true });
  });

  const keyOf = (fake: FakeServer, i: number) =>
    String(fake.requests[i]?.headers.authorization ?? fake.requests[i]?.headers["x-api-key"]).replace(
      "Bearer ",
      "",
    );

  function withProfiles() {
    const profiles = createAuthProfileStore({ stateDir, agentId: "main" });
    stores.push(profiles);
    const cfg = config({ auth: { order: { anthropic: ["anthropic:a", "anthropic:b"] } } });
    return { profiles, f: failover({ profiles, config: cfg, env: { OPENAI_API_KEY: KEYS.OPENAI_API_KEY } }) };
  }

  it.each([401, 403, 429])("on %i rotates to the next profile of the same provider first", async (status) => {
    const { profiles, f } = withProfiles();
    anthropic.enqueue({ status });
    const events = await ask(f);
    expect(last(events)).toMatchObject({
      type: "done",
      answeredBy: { model: PRIMARY, profileId: "anthropic:b" },
    });
    expect([keyOf(anthropic, 0), keyOf(anthropic, 1)]).toEqual([
      "sk-profile-a-123456",
      "sk-profile-b-123456",
    ]);
    expect(openai.requests).toHaveLength(0);

    await profiles.flush();
    const saved = JSON.parse(await readFile(profiles.file, "utf8"));
    expect(saved.usageStats["anthropic:a"]).toEqual({ errorCount: 1, cooldownUntil: clock + 60_000 });
    expect(saved.usageStats["anthropic:b"]).toEqual({ errorCount: 0, lastUsed: clock });
  });

  it("moves to the fallback model when every profile is refused", async () => {
    const { f } = withProfiles();
    anthropic.enqueue({ status: 429 }, { status: 401 });
    expect(answered(await ask(f))).toBe("openai");
    expect(anthropic.requests).toHaveLength(2);
  });

  it("puts a cooling profile last until its cooldown ends", async () => {
    const { f } = withProfiles();
    anthropic.enqueue({ status: 429 });
    await ask(f);
    await ask(f);
    expect(keyOf(anthropic, 2)).toBe("sk-profile-b-123456");
    clock += 60_000;
    await ask(f);
    expect(keyOf(anthropic, 3)).toBe("sk-profile-a-123456");
  });

  it("does not rotate profiles on a 5xx: the model is down, not the key", async () => {
    const { f } = withProfiles();
    anthropic.enqueue({ status: 529 });
    expect(answered(await ask(f))).toBe("openai");
    expect(anthropic.requests).toHaveLength(1);
  });
});

describe("configuration", () => {
  it("throws a clear error when no model in the chain has a key", async () => {
    const f = failover({ env: {} });
    await expect(ask(f)).rejects.toThrow(MissingApiKeyError);
    await expect(ask(f)).rejects.toThrow(/set ANTHROPIC_API_KEY, add an auth profile "anthropic:default"/);
  });

  it("skips a model without a key and uses the next", async () => {
    const events = await ask(failover({ env: { OPENAI_API_KEY: KEYS.OPENAI_API_KEY } }));
    expect(answered(events)).toBe("openai");
    expect(
      logs.some((r) => r.level === "warn" && r.msg.includes('No API key for provider "anthropic"')),
    ).toBe(true);
  });

  it("serves a custom openai-completions provider at its baseUrl, with its key and headers", async () => {
    const cfg = config({
      models: {
        providers: {
          litellm: {
            baseUrl: `${openai.url}/v1`,
            apiKey: "sk-litellm-123456",
            api: "openai-completions",
            headers: { "x-team": "ops" },
            models: [{ id: "meta/llama-3.1-8b" }],
          },
        },
      },
    });
    const f = failover({ config: cfg });
    const events = await ask(f, [{ provider: "litellm", model: "meta/llama-3.1-8b" }]);
    expect(textOf(events)).toBe("from openai");
    const sent = openai.requests[0]!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.headers.authorization).toBe("Bearer sk-litellm-123456");
    expect(sent.headers["x-team"]).toBe("ops");
    expect(sent.body.model).toBe("meta/llama-3.1-8b");
  });

  it("sends a built-in provider with only baseUrl overridden to that URL, with its catalogue limits", async () => {
    const events = await ask(failover(), [PRIMARY]);
    expect(textOf(events)).toBe("from anthropic");
    expect(anthropic.requests[0]).toMatchObject({
      path: "/v1/messages",
      body: { model: "claude-opus-4-6", max_tokens: 32_000 },
    });
  });

  it("stops with an aborted error when the caller aborts, without failing over", async () => {
    anthropic.enqueue({ slowMs: 10_000 });
    const controller = new AbortController();
    const f = failover({ idleTimeoutMs: 20_000 });
    const run = collect(
      f.stream(
        { models: [PRIMARY, FALLBACK], messages: [{ role: "user", content: "hi" }] },
        { signal: controller.signal },
      ),
    );
    await expect.poll(() => anthropic.requests.length).toBe(1);
    controller.abort();
    expect(last(await run)).toMatchObject({ type: "error", error: { kind: "aborted" } });
    expect(openai.requests).toHaveLength(0);
  });
});
