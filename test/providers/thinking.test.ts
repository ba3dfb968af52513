/**
 * Thinking levels on the wire: the fields each vendor's request carries for a level
 * (OpenClaw's mapping), fitted per model by the failover and written by the adapters,
 * checked on what the fake Anthropic and OpenAI servers receive; and the signed thinking
 * blocks Anthropic streams back, kept in the message and sent back on the next round.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFailover } from "../../src/providers/failover.js";
import { createModelRegistry } from "../../src/providers/registry.js";
import type { Message, ModelRef, StreamEvent } from "../../src/providers/types.js";
import { FAKE_THINKING_SIGNATURE, startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer, RecordedRequest } from "../fakes/server.js";
import { collect, last } from "./harness.js";

let anthropic: FakeServer;
let openai: FakeServer;

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
});
afterAll(() => Promise.all([anthropic.close(), openai.close()]));
beforeEach(() => {
  anthropic.setDefault({ text: "ok" });
  openai.setDefault({ text: "ok" });
});

interface Setup {
  params?: Record<string, Record<string, unknown>>;
  thinkingDefault?: string;
}

function failover(setup: Setup = {}) {
  const registry = createModelRegistry(
    {
      models: {
        providers: {
          anthropic: { baseUrl: anthropic.url, apiKey: "sk-ant-api03-test" },
          openai: { baseUrl: `${openai.url}/v1`, apiKey: "sk-openai-test" },
          // An OpenAI-compatible server with a model marked as one that reasons.
          local: {
            baseUrl: `${openai.url}/v1`,
            api: "openai-completions",
            apiKey: "sk-local",
            models: [
              { id: "qwq", reasoning: true },
              { id: "plain", reasoning: false },
            ],
          },
        },
      },
      agents: {
        defaults: {
          ...(setup.thinkingDefault ? { thinkingDefault: setup.thinkingDefault } : {}),
          models: Object.fromEntries(
            Object.entries(setup.params ?? {}).map(([r, params]) => [r, { params }]),
          ),
        },
      },
    },
    { env: {} },
  );
  return createFailover({ registry, idleTimeoutMs: 5_000 });
}

const ref = (raw: string): ModelRef => {
  const [provider, ...model] = raw.split("/");
  return { provider: provider!, model: model.join("/") };
};

/** One model call and the request the fake received for it. */
async function call(
  model: string,
  opts: Setup & { level?: string; temperature?: number; maxTokens?: number; messages?: Message[] } = {},
): Promise<{ sent: RecordedRequest; events: StreamEvent[] }> {
  const server = model.startsWith("anthropic/") ? anthropic : openai;
  const before = server.requests.length;
  const events = await collect(
    failover(opts).stream({
      models: [ref(model)],
      messages: opts.messages ?? [{ role: "user", content: "hi" }],
      ...(opts.level ? { thinkingLevel: opts.level as never } : {}),
      ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
      ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
    }),
  );
  expect(last(events).type).toBe("done");
  const sent = server.requests.at(-1)!;
  expect(server.requests.length).toBe(before + 1);
  return { sent, events };
}

const anthropicFields = (r: RecordedRequest) => ({
  thinking: r.body.thinking,
  output_config: r.body.output_config,
  max_tokens: r.body.max_tokens,
  temperature: r.body.temperature,
});

describe("Anthropic: extended thinking budgets", () => {
  it.each([
    ["minimal", 1024],
    ["low", 2048],
    ["medium", 8192],
    ["high", 16384],
  ])(
    "Sonnet 4.5 at %s: budget_tokens %i, max_tokens grown by it, temperature dropped",
    async (level, budget) => {
      const { sent } = await call("anthropic/claude-sonnet-4-5", {
        level,
        maxTokens: 4000,
        temperature: 0.2,
      });
      expect(anthropicFields(sent)).toEqual({
        thinking: { type: "enabled", budget_tokens: budget },
        output_config: undefined,
        max_tokens: 4000 + budget,
        temperature: undefined,
      });
    },
  );

  it("the budget stays below the model's output limit", async () => {
    const { sent } = await call("anthropic/claude-haiku-4-5", { level: "high" });
    // Haiku 4.5's limit is 64 000: max_tokens stays there and the full budget fits under it.
    expect(anthropicFields(sent)).toMatchObject({
      thinking: { type: "enabled", budget_tokens: 16384 },
      max_tokens: 64_000,
    });
  });

  it("not chosen on a model that defaults to off: nothing sent, temperature kept", async () => {
    const { sent } = await call("anthropic/claude-sonnet-4-5", { temperature: 0.2 });
    expect(anthropicFields(sent)).toEqual({
      thinking: undefined,
      output_config: undefined,
      max_tokens: 64_000,
      temperature: 0.2,
    });
  });

  it("off on Claude 4.6 (adaptive by default) sends no thinking field: the API does not think then", async () => {
    const { sent } = await call("anthropic/claude-opus-4-6", { level: "off", temperature: 0.3 });
    expect(anthropicFields(sent)).toMatchObject({ thinking: undefined, temperature: 0.3 });
  });

  it("Claude 4.6 defaults to adaptive thinking (no budget)", async () => {
    const { sent } = await call("anthropic/claude-opus-4-6");
    expect(anthropicFields(sent)).toMatchObject({ thinking: { type: "adaptive" }, output_config: undefined });
  });

  it("a model that cannot think gets no thinking field", async () => {
    const { sent } = await call("anthropic/claude-3-5-haiku-latest", { level: "high" });
    expect(sent.body.thinking).toBeUndefined();
  });
});

describe("Anthropic: adaptive thinking with an effort (Opus 4.7+, Opus 5, Sonnet 5)", () => {
  it.each([
    ["anthropic/claude-opus-4-8", "xhigh", "xhigh"],
    ["anthropic/claude-opus-5", "max", "max"],
    ["anthropic/claude-sonnet-5", "low", "low"],
    // A level the model lacks moves to its nearest one (minimal → low).
    ["anthropic/claude-opus-5", "minimal", "low"],
  ])("%s at %s: adaptive, effort %s", async (model, level, effort) => {
    const { sent } = await call(model, { level, temperature: 0.5 });
    expect(anthropicFields(sent)).toMatchObject({
      thinking: { type: "adaptive" },
      output_config: { effort },
      temperature: undefined,
    });
  });

  it("defaults: Opus 5 thinks at high, Opus 4.8 stays off", async () => {
    expect((await call("anthropic/claude-opus-5")).sent.body.output_config).toEqual({ effort: "high" });
    expect((await call("anthropic/claude-opus-4-8")).sent.body.thinking).toEqual({ type: "disabled" });
  });
});

describe("configured defaults", () => {
  it("agents.defaults.thinkingDefault applies to every model, fitted to each", async () => {
    const setup = { thinkingDefault: "xhigh" };
    expect((await call("anthropic/claude-sonnet-4-5", setup)).sent.body.thinking).toEqual({
      type: "enabled",
      budget_tokens: 16384,
    });
    expect((await call("openai/gpt-5.2", setup)).sent.body.reasoning).toEqual({ effort: "xhigh" });
  });

  it("a model's params.thinking wins over the global default; the session's choice over both", async () => {
    const setup = { thinkingDefault: "high", params: { "openai/gpt-5.2": { thinking: "low" } } };
    expect((await call("openai/gpt-5.2", setup)).sent.body.reasoning).toEqual({ effort: "low" });
    expect((await call("openai/gpt-5.2", { ...setup, level: "medium" })).sent.body.reasoning).toEqual({
      effort: "medium",
    });
  });
});

describe("OpenAI: reasoning effort", () => {
  it.each([
    ["openai/gpt-5.2", "high", { effort: "high" }],
    ["openai/gpt-5.2", "off", { effort: "none" }],
    ["openai/gpt-5.2", undefined, { effort: "medium" }],
    ["openai/gpt-5-mini", "minimal", { effort: "minimal" }],
    // GPT-5 (before 5.1) takes no `none`: off sends no reasoning field.
    ["openai/gpt-5-mini", "off", undefined],
    ["openai/gpt-4.1", "high", undefined],
  ])("%s at %s: reasoning %j", async (model, level, reasoning) => {
    const { sent } = await call(model, level ? { level } : {});
    expect(sent.body.reasoning).toEqual(reasoning);
  });

  it("Chat Completions: reasoning_effort for a model marked reasoning, nothing for others", async () => {
    expect((await call("local/qwq", { level: "high" })).sent.body.reasoning_effort).toBe("high");
    expect((await call("local/qwq", { level: "off" })).sent.body.reasoning_effort).toBeUndefined();
    expect((await call("local/plain", { level: "high" })).sent.body.reasoning_effort).toBeUndefined();
  });
});

describe("Anthropic thinking blocks in the transcript", () => {
  it("keeps the streamed thinking with its signature and sends it back on the next round", async () => {
    anthropic.setDefault({ thinking: "Let me think.", text: "4" });
    const { events } = await call("anthropic/claude-sonnet-4-5", { level: "low" });
    const done = last(events);
    if (done.type !== "done") throw new Error("no answer");
    expect(done.message.content[0]).toEqual({
      type: "thinking",
      thinking: "Let me think.",
      signature: FAKE_THINKING_SIGNATURE,
    });
    anthropic.setDefault({ text: "ok" });
    const { sent } = await call("anthropic/claude-sonnet-4-5", {
      level: "low",
      messages: [
        { role: "user", content: "2+2?" },
        done.message,
        // A thinking block from another API has no signature: it cannot go back.
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "unsigned" },
            { type: "text", text: "x" },
          ],
        },
        { role: "user", content: "again" },
      ],
    });
    const messages = sent.body.messages as { role: string; content: { type: string }[] }[];
    expect(messages[1]!.content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: FAKE_THINKING_SIGNATURE },
      { type: "text", text: "4" },
      { type: "text", text: "x" },
    ]);
  });
});
