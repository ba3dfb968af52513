import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";

const TOKEN = "openai-http-token-1234";
let anthropic: FakeServer;
let gw: RunningGateway;
let url: string;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  const stateDir = stateDirWith(
    baseConfig(anthropic.url, { gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } } }),
  );
  gw = await startGateway(
    ["--port", "0"],
    testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      ANTHROPIC_API_KEY: "sk-x-123456",
    }),
  );
  url = `http://127.0.0.1:${gw.port}/v1/chat/completions`;
});
afterAll(async () => {
  await gw.stop();
  await anthropic.close();
});

const post = (body: unknown, token = TOKEN) =>
  fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("POST /v1/chat/completions", () => {
  it("refuses a wrong bearer token", async () => {
    const res = await post({ messages: [{ role: "user", content: "hi" }] }, "wrong-token");
    expect(res.status).toBe(401);
  });

  it("answers with an OpenAI chat.completion from an agent turn", async () => {
    anthropic.enqueue({ text: "Hi from the agent.", usage: { input: 7, output: 4 } });
    const res = await post({
      model: "openclaw:main",
      messages: [
        { role: "system", content: "x" },
        { role: "user", content: "hello" },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      object: "chat.completion",
      model: "openclaw:main",
      choices: [
        { index: 0, message: { role: "assistant", content: "Hi from the agent." }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
    });
  });

  it("streams chat.completion.chunk events and ends with [DONE]", async () => {
    anthropic.enqueue({ text: "streamed words here" });
    const res = await post({ stream: true, messages: [{ role: "user", content: "stream please" }] });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    const events = text
      .split("\n\n")
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ""));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("streamed words here");
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  it("rejects bad bodies with an OpenAI-style error", async () => {
    const res = await post({ messages: [] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });
});
