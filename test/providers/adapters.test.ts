import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdapter } from "../../src/providers/adapters/index.js";
import type { ErrorKind, ProviderAdapter, StreamRequest } from "../../src/providers/types.js";
import type { FakeServer, Script } from "../fakes/server.js";
import { API_CASES, collect, fakeModel, last, textOf } from "./harness.js";

const KEY = "sk-test-key-123456";

describe.each(API_CASES)("$api adapter against its fake", ({ api, start, baseUrl, keyOf }) => {
  let fake: FakeServer;
  let adapter: ProviderAdapter;
  let request: StreamRequest;

  beforeAll(async () => {
    fake = await start();
    adapter = await loadAdapter(api);
    request = {
      model: fakeModel(api, baseUrl(fake)),
      apiKey: KEY,
      systemPrompt: "Be brief.",
      messages: [{ role: "user", content: "Say hello" }],
    };
  });
  afterAll(() => fake.close());

  it("streams text deltas, then done with usage", async () => {
    fake.enqueue({ text: "Hello there, friend.", usage: { input: 12, output: 7 } });
    const events = await collect(adapter.stream(request, {}));

    expect(events[0]).toEqual({ type: "start" });
    expect(events.filter((e) => e.type === "text_delta").length).toBeGreaterThan(1);
    expect(textOf(events)).toBe("Hello there, friend.");
    const done = last(events);
    expect(done).toMatchObject({
      type: "done",
      stopReason: "stop",
      usage: { input: 12, output: 7 },
      message: { role: "assistant", content: [{ type: "text", text: "Hello there, friend." }] },
    });
    const sent = last(fake.requests);
    expect(keyOf(sent.headers)).toBe(KEY);
    expect(JSON.stringify(sent.body)).toContain("Be brief.");
    expect(JSON.stringify(sent.body)).toContain("Say hello");
  });

  it("streams a tool call and sends tool definitions and results", async () => {
    fake.enqueue({ toolCalls: [{ id: "call_a", name: "read", args: { path: "notes.md" } }] });
    const events = await collect(
      adapter.stream(
        {
          ...request,
          tools: [
            {
              name: "read",
              description: "Read a file",
              parameters: { type: "object", properties: { path: { type: "string" } } },
            },
          ],
          messages: [
            { role: "user", content: "What did I note?" },
            {
              role: "assistant",
              content: [{ type: "toolCall", id: "call_0", name: "read", arguments: { path: "a.md" } }],
            },
            {
              role: "toolResult",
              toolCallId: "call_0",
              toolName: "read",
              content: [{ type: "text", text: "42" }],
            },
          ],
        },
        {},
      ),
    );

    expect(events.some((e) => e.type === "toolcall_delta")).toBe(true);
    const end = events.find((e) => e.type === "toolcall_end");
    expect(end).toMatchObject({ toolCall: { id: "call_a", name: "read", arguments: { path: "notes.md" } } });
    expect(last(events)).toMatchObject({ type: "done", stopReason: "toolUse" });
    const body = JSON.stringify(last(fake.requests).body);
    expect(body).toContain("Read a file");
    expect(body).toContain("a.md");
    expect(body).toContain("42");
  });

  const overloaded = api === "google-generative-ai" ? 503 : 529;
  // OpenAI has no in-stream "overloaded" code: its streams report server_error.
  const inStreamOverloaded: ErrorKind = api.startsWith("openai") ? "server" : "overloaded";
  it.each<{ fault: string; script: Script; kind: ErrorKind; status?: number }>([
    { fault: "429", script: { status: 429, retryAfter: 2 }, kind: "rate_limit", status: 429 },
    { fault: `${overloaded}`, script: { status: overloaded }, kind: "overloaded", status: overloaded },
    { fault: "500", script: { status: 500 }, kind: "server", status: 500 },
    { fault: "400", script: { status: 400, message: "bad field" }, kind: "bad_request", status: 400 },
    { fault: "401", script: { status: 401 }, kind: "auth", status: 401 },
    { fault: "connection reset", script: { reset: true }, kind: "connection" },
    { fault: "cut before the first token", script: { cut: "beforeFirstToken" }, kind: "connection" },
    { fault: "malformed chunk", script: { malformed: "beforeFirstToken" }, kind: "protocol" },
    { fault: `in-stream ${overloaded}`, script: { streamError: overloaded }, kind: inStreamOverloaded },
    { fault: "in-stream 429", script: { streamError: 429 }, kind: "rate_limit" },
  ])("reports $fault as a final error event of kind $kind", async ({ script, kind, status }) => {
    fake.enqueue(script);
    const events = await collect(adapter.stream(request, {}));
    const end = last(events);
    expect(end.type).toBe("error");
    if (end.type !== "error") return;
    expect(end.error.kind).toBe(kind);
    if (!("streamError" in script)) expect(end.error.status).toBe(status);
    expect(end.error.message).not.toContain(KEY);
    expect(events.filter((e) => e.type === "text_delta")).toEqual([]);
    if (status === 429 && api !== "google-generative-ai") expect(end.error.retryAfterMs).toBe(2000);
  });

  it("keeps partial text and usage when the stream is cut after a token", async () => {
    fake.enqueue({ cut: "afterFirstToken" });
    const events = await collect(adapter.stream(request, {}));
    const end = last(events);
    expect(end).toMatchObject({ type: "error", error: { kind: "connection" } });
    expect(textOf(events)).not.toBe("");
    if (end.type === "error") expect(end.partial.content[0]).toMatchObject({ type: "text" });
  });

  it("ends with an aborted error when the caller aborts", async () => {
    fake.enqueue({ slowMs: 5_000 });
    const controller = new AbortController();
    const seen = fake.requests.length;
    const run = collect(adapter.stream(request, { signal: controller.signal }));
    await expect.poll(() => fake.requests.length).toBe(seen + 1);
    controller.abort();
    expect(last(await run)).toMatchObject({ type: "error", error: { kind: "aborted" } });
  });
});
