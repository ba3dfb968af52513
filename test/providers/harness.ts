import type { ModelApi, ResolvedModel, StreamEvent } from "../../src/providers/types.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeGemini } from "../fakes/gemini.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";

/** Per API: its fake, the base URL an SDK is given for it, and where the key travels. */
export const API_CASES: {
  api: ModelApi;
  start: () => Promise<FakeServer>;
  baseUrl: (fake: FakeServer) => string;
  keyOf: (headers: Record<string, string | string[] | undefined>) => string | undefined;
}[] = [
  {
    api: "anthropic-messages",
    start: startFakeAnthropic,
    baseUrl: (f) => f.url,
    // SDK 1.x sends an API key as a bearer token; older ones used x-api-key.
    keyOf: (h) =>
      (h["x-api-key"] as string | undefined) ??
      (h.authorization as string | undefined)?.replace(/^Bearer /, ""),
  },
  {
    api: "openai-completions",
    start: startFakeOpenAI,
    baseUrl: (f) => `${f.url}/v1`,
    keyOf: (h) => (h.authorization as string | undefined)?.replace(/^Bearer /, ""),
  },
  {
    api: "openai-responses",
    start: startFakeOpenAI,
    baseUrl: (f) => `${f.url}/v1`,
    keyOf: (h) => (h.authorization as string | undefined)?.replace(/^Bearer /, ""),
  },
  {
    api: "google-generative-ai",
    start: startFakeGemini,
    baseUrl: (f) => `${f.url}/v1beta`,
    keyOf: (h) => h["x-goog-api-key"] as string | undefined,
  },
];

export function fakeModel(
  api: ModelApi,
  baseUrl: string,
  provider = "fake",
  model = "fake-model",
): ResolvedModel {
  return {
    ref: { provider, model },
    api,
    baseUrl,
    contextWindow: 100_000,
    maxTokens: 1024,
    input: ["text"],
  };
}

export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

export const textOf = (events: StreamEvent[]): string =>
  events.map((e) => (e.type === "text_delta" ? e.delta : "")).join("");

export function last<T>(items: T[]): T {
  const item = items.at(-1);
  if (item === undefined) throw new Error("no items");
  return item;
}
