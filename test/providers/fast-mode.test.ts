/**
 * Fast mode on the wire: the fields each vendor's request carries (OpenClaw's mapping),
 * decided per model call by the failover and written by the adapters, checked on what
 * the fake Anthropic and OpenAI servers receive. The clock is the failover's, injected.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFailover } from "../../src/providers/failover.js";
import { createModelRegistry } from "../../src/providers/registry.js";
import type { FastMode, ModelRef } from "../../src/providers/types.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer, RecordedRequest } from "../fakes/server.js";
import { collect, last } from "./harness.js";

const BETA = "fast-mode-2026-02-01";
const API_KEY = "sk-ant-api03-test-key";
const OAUTH_TOKEN = "sk-ant-oat01-subscription-token";

let anthropic: FakeServer;
let openai: FakeServer;
let clock = 0;

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
});
afterAll(() => Promise.all([anthropic.close(), openai.close()]));
beforeEach(() => {
  clock = 0;
  anthropic.setDefault({ text: "ok" });
  openai.setDefault({ text: "ok" });
});

function failover(opts: { params?: Record<string, Record<string, unknown>>; anthropicKey?: string } = {}) {
  const registry = createModelRegistry(
    {
      models: {
        providers: {
          anthropic: { baseUrl: anthropic.url, apiKey: opts.anthropicKey ?? API_KEY },
          openai: { baseUrl: `${openai.url}/v1`, apiKey: "sk-openai-test" },
          // The same API under another provider id: a proxy, which must never get vendor fields.
          proxy: { baseUrl: anthropic.url, api: "anthropic-messages", apiKey: API_KEY },
        },
      },
      agents: {
        defaults: {
          models: Object.fromEntries(
            Object.entries(opts.params ?? {}).map(([ref, params]) => [ref, { params }]),
          ),
        },
      },
    },
    { env: {} },
  );
  return createFailover({ registry, now: () => clock, idleTimeoutMs: 5_000 });
}

const ref = (raw: string): ModelRef => {
  const [provider, ...model] = raw.split("/");
  return { provider: provider!, model: model.join("/") };
};

/** One model call (or several, with fallbacks) and the requests the fakes received for it. */
async function call(
  models: string[],
  opts: {
    fastMode?: FastMode;
    turnStartedAtMs?: number;
    params?: Record<string, Record<string, unknown>>;
    anthropicKey?: string;
  } = {},
): Promise<RecordedRequest[]> {
  const seen: RecordedRequest[] = [];
  const record = (r: RecordedRequest) => seen.push(r);
  const counts = [anthropic.requests.length, openai.requests.length];
  const events = await collect(
    failover(opts).stream({
      models: models.map(ref),
      messages: [{ role: "user", content: "hi" }],
      ...(opts.fastMode !== undefined ? { fastMode: opts.fastMode } : {}),
      turnStartedAtMs: opts.turnStartedAtMs ?? 0,
    }),
  );
  expect(last(events).type).toBe("done");
  anthropic.requests.slice(counts[0]).forEach(record);
  openai.requests.slice(counts[1]).forEach(record);
  expect(seen.length).toBeGreaterThan(0);
  return seen;
}

/** What a request carried of Fast mode: `speed`, `service_tier`, and whether the beta was asked for. */
const fastFields = (r: RecordedRequest) => ({
  speed: r.body.speed,
  service_tier: r.body.service_tier,
  beta: String(r.headers["anthropic-beta"] ?? "").includes(BETA),
});
const NONE = { speed: undefined, service_tier: undefined, beta: false };

describe("Anthropic: native speed for Opus 5.5, Opus 5 and Opus 4.8", () => {
  it.each(["anthropic/claude-opus-5", "anthropic/claude-opus-5-5", "anthropic/claude-opus-4-8-20260301"])(
    "%s on: speed fast and the beta header, no service tier",
    async (model) => {
      const [sent] = await call([model], { fastMode: true });
      expect(fastFields(sent!)).toEqual({ speed: "fast", service_tier: undefined, beta: true });
    },
  );

  it("off, or not chosen at all: standard speed, no field and no beta", async () => {
    expect(fastFields((await call(["anthropic/claude-opus-5"], { fastMode: false }))[0]!)).toEqual(NONE);
    expect(fastFields((await call(["anthropic/claude-opus-5"]))[0]!)).toEqual(NONE);
  });

  it("keeps a beta the provider's headers already ask for", async () => {
    const registry = createModelRegistry(
      {
        models: {
          providers: {
            anthropic: {
              baseUrl: anthropic.url,
              apiKey: API_KEY,
              headers: { "anthropic-beta": "other-beta-1" },
            },
          },
        },
      },
      { env: {} },
    );
    const f = createFailover({ registry, now: () => clock });
    await collect(
      f.stream({
        models: [ref("anthropic/claude-opus-5")],
        messages: [{ role: "user", content: "hi" }],
        fastMode: true,
        turnStartedAtMs: 0,
      }),
    );
    expect(last(anthropic.requests).headers["anthropic-beta"]).toBe(`other-beta-1,${BETA}`);
  });
});

describe("Anthropic: Priority Tier for the other models", () => {
  it.each([
    [true, "auto"],
    [false, "standard_only"],
  ] as const)("fastMode %s sends service_tier %s", async (fastMode, tier) => {
    const [sent] = await call(["anthropic/claude-sonnet-4-6"], { fastMode });
    expect(fastFields(sent!)).toEqual({ speed: undefined, service_tier: tier, beta: false });
  });

  it("not chosen: no service tier", async () => {
    expect(fastFields((await call(["anthropic/claude-sonnet-4-6"]))[0]!)).toEqual(NONE);
  });

  it("Claude Sonnet 5 supports neither: both fields left out", async () => {
    for (const fastMode of [true, false] as const) {
      expect(fastFields((await call(["anthropic/claude-sonnet-5"], { fastMode }))[0]!)).toEqual(NONE);
    }
  });
});

describe("when Fast mode does not apply", () => {
  it("a subscription (OAuth) token gets neither the speed field nor a tier", async () => {
    for (const model of ["anthropic/claude-opus-5", "anthropic/claude-sonnet-4-6"]) {
      const [sent] = await call([model], { fastMode: true, anthropicKey: OAUTH_TOKEN });
      expect(fastFields(sent!)).toEqual(NONE);
    }
  });

  it("an explicit serviceTier (either spelling) wins over Fast mode and is sent as written", async () => {
    const [opus] = await call(["anthropic/claude-opus-5"], {
      fastMode: true,
      params: { "anthropic/claude-opus-5": { serviceTier: "standard_only" } },
    });
    expect(fastFields(opus!)).toEqual({ speed: undefined, service_tier: "standard_only", beta: false });
    const [gpt] = await call(["openai/gpt-5.2"], {
      fastMode: true,
      params: { "openai/gpt-5.2": { service_tier: "flex" } },
    });
    expect(gpt!.body.service_tier).toBe("flex");
  });

  it("another provider id on the same API (a proxy) gets no vendor field", async () => {
    const [sent] = await call(["proxy/claude-opus-5"], { fastMode: true });
    expect(fastFields(sent!)).toEqual(NONE);
  });
});

describe("OpenAI: service_tier priority", () => {
  it("on sends priority; off and unset send no tier", async () => {
    expect((await call(["openai/gpt-5.2"], { fastMode: true }))[0]!.body.service_tier).toBe("priority");
    expect((await call(["openai/gpt-5.2"], { fastMode: false }))[0]!.body).not.toHaveProperty("service_tier");
    expect((await call(["openai/gpt-5.2"]))[0]!.body).not.toHaveProperty("service_tier");
  });
});

describe("defaults and auto", () => {
  it("the model's params.fastMode applies when the session has not chosen; the session's choice wins", async () => {
    const params = { "anthropic/claude-opus-5": { fastMode: true } };
    expect(fastFields((await call(["anthropic/claude-opus-5"], { params }))[0]!).speed).toBe("fast");
    expect(fastFields((await call(["anthropic/claude-opus-5"], { params, fastMode: false }))[0]!)).toEqual(
      NONE,
    );
  });

  it("auto: calls started before the 60 s cutoff are fast, later ones are not", async () => {
    clock = 59_999;
    expect(fastFields((await call(["anthropic/claude-opus-5"], { fastMode: "auto" }))[0]!).speed).toBe(
      "fast",
    );
    clock = 60_000;
    expect(fastFields((await call(["anthropic/claude-opus-5"], { fastMode: "auto" }))[0]!)).toEqual(NONE);
    expect((await call(["openai/gpt-5.2"], { fastMode: "auto" }))[0]!.body).not.toHaveProperty(
      "service_tier",
    );
  });

  it("auto: params.fastAutoOnSeconds moves the cutoff", async () => {
    const params = { "anthropic/claude-opus-5": { fastMode: "auto", fastAutoOnSeconds: 30 } };
    clock = 29_000;
    expect(fastFields((await call(["anthropic/claude-opus-5"], { params }))[0]!).speed).toBe("fast");
    clock = 30_000;
    expect(fastFields((await call(["anthropic/claude-opus-5"], { params }))[0]!)).toEqual(NONE);
  });

  it("auto: a fallback that starts after the cutoff runs without, in the same turn", async () => {
    // The primary fails once the clock has passed the cutoff; the fallback is a later call.
    openai.setDefault(() => {
      clock = 61_000;
      return { status: 500 };
    });
    const [primary, fallback] = await call(["openai/gpt-5.2", "anthropic/claude-sonnet-4-6"], {
      fastMode: "auto",
    });
    // Both fakes are listed Anthropic first: find each by its path.
    const sentToOpenAI = [primary, fallback].find((r) => r!.path.endsWith("/responses"))!;
    const sentToAnthropic = [primary, fallback].find((r) => r!.path.endsWith("/messages"))!;
    expect(sentToOpenAI.body.service_tier).toBe("priority");
    expect(fastFields(sentToAnthropic).service_tier).toBe("standard_only");
  });
});
