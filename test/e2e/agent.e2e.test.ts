import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import type { EventFrame } from "../../src/gateway/protocol.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, runCli, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { readSessionIndex } from "../helpers/session-index.js";

let anthropic: FakeServer;
let openai: FakeServer;
const running: RunningGateway[] = [];

// Fresh fakes per test: no scripted reply or default leaks from one test into the next.
beforeEach(async () => {
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
  await anthropic.close();
  await openai.close();
});

function setup() {
  const stateDir = stateDirWith(
    baseConfig(anthropic.url, {
      models: { providers: { openai: { baseUrl: `${openai.url}/v1` } } },
      agents: { defaults: { model: { fallbacks: ["openai/gpt-5-mini"] }, maxConcurrent: 2 } },
    }),
  );
  const env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    ANTHROPIC_API_KEY: "sk-ant-test-key",
    OPENAI_API_KEY: "sk-openai-test-key",
  });
  return { stateDir, env };
}

async function start(env: NodeJS.ProcessEnv) {
  const gw = await startGateway(["--port", "0"], env);
  running.push(gw);
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
  return { gw, client };
}

type ChatPayload = {
  runId: string;
  state: string;
  deltaText?: string;
  message?: { content: { text: string }[] };
  errorMessage?: string;
};

/**
 * Sends a message and returns the ack plus a promise of the run's chat events,
 * resolved once the run ends (final, aborted or error).
 */
async function send(client: GatewayClient, message: string, extra: Record<string, unknown> = {}) {
  const events: ChatPayload[] = [];
  let runId: string | undefined;
  let resolve!: (events: ChatPayload[]) => void;
  const done = new Promise<ChatPayload[]>((r) => (resolve = r));
  const check = () => {
    const mine = events.filter((e) => e.runId === runId);
    if (runId && mine.some((e) => ["final", "aborted", "error"].includes(e.state))) resolve(mine);
  };
  client.onEvent((frame: EventFrame) => {
    if (frame.event !== "chat") return;
    events.push(frame.payload as ChatPayload);
    check();
  });
  const params = { sessionKey: "main", message, idempotencyKey: `k-${message}`, ...extra };
  const ack = (await client.request("chat.send", params)) as { runId: string; status: string };
  runId = ack.runId;
  check();
  return { ack, done };
}

function transcriptLines(stateDir: string) {
  const dir = path.join(stateDir, "agents/main/sessions");
  const { sessionId } = readSessionIndex(dir)["agent:main:main"]!;
  return readFileSync(path.join(dir, `${sessionId}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("agents through the gateway", () => {
  it("chat.send streams the answer as chat events and keeps the turn in the transcript", async () => {
    const { stateDir, env } = setup();
    anthropic.enqueue({ text: "Hello from the fake Claude", usage: { input: 12, output: 5 } });
    const { gw, client } = await start(env);
    const { ack, done } = await send(client, "hi there");
    expect(ack.status).toBe("started");
    const events = await done;
    expect(
      events
        .filter((e) => e.state === "delta")
        .map((e) => e.deltaText)
        .join(""),
    ).toBe("Hello from the fake Claude");
    expect(events.at(-1)).toMatchObject({
      state: "final",
      message: { content: [{ text: "Hello from the fake Claude" }] },
    });
    const lines = transcriptLines(stateDir);
    expect(lines[0]).toMatchObject({ type: "session", version: 3, sessionKey: "agent:main:main" });
    expect(lines.slice(1).map((l) => l.message.role)).toEqual(["user", "assistant"]);
    expect(lines[2].message).toMatchObject({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      usage: { input: 12, output: 5 },
    });
    expect(
      anthropic.requests[0]!.headers.authorization ?? anthropic.requests[0]!.headers["x-api-key"],
    ).toBeTruthy();
    const system = JSON.stringify(anthropic.requests[0]!.body.system);
    expect(system).toContain("AGENTS.md");
    await gw.waitForLine(/\[agent\] run \S+ answered by anthropic\/claude-sonnet-4-5/);
    await client.close();
  });

  it("fails over to the fallback model on 529 and records which model answered", async () => {
    const { stateDir, env } = setup();
    anthropic.enqueue({ status: 529, message: "overloaded" });
    openai.enqueue({ text: "answer from the fallback" });
    const { gw, client } = await start(env);
    const lifecycle: { runId: string; sessionKey?: string; data: Record<string, unknown> }[] = [];
    client.onEvent((frame: EventFrame) => {
      const payload = frame.payload as (typeof lifecycle)[number] & { stream: string };
      if (frame.event === "agent" && payload.stream === "lifecycle") lifecycle.push(payload);
    });
    const { ack, done } = await send(client, "please answer");
    expect((await done).at(-1)).toMatchObject({
      state: "final",
      message: { content: [{ text: "answer from the fallback" }] },
    });
    // Clients hear the move as it happens, in OpenClaw's shape (sent before the final event).
    const mine = lifecycle.filter((e) => e.runId === ack.runId);
    expect(mine.slice(0, 2).map((e) => e.data.phase)).toEqual(["start", "fallback"]);
    expect(mine[1]).toMatchObject({
      sessionKey: "agent:main:main",
      data: {
        selectedProvider: "anthropic",
        selectedModel: "claude-sonnet-4-5",
        activeProvider: "openai",
        activeModel: "gpt-5-mini",
        reasonSummary: "overloaded",
        attemptSummaries: ["anthropic/claude-sonnet-4-5: HTTP 529"],
        attempts: [{ provider: "anthropic", model: "claude-sonnet-4-5", reason: "overloaded", status: 529 }],
      },
    });
    expect(transcriptLines(stateDir).at(-1).message).toMatchObject({
      provider: "openai",
      model: "gpt-5-mini",
    });
    await gw.waitForLine(/answered by openai\/gpt-5-mini/);
    await client.close();
  });

  it("a retried idempotency key never runs twice", async () => {
    const { env } = setup();
    anthropic.setDefault({ text: "once" });
    const { client } = await start(env);
    const first = await send(client, "only once");
    await first.done;
    const again = (await client.request("chat.send", {
      sessionKey: "main",
      message: "only once",
      idempotencyKey: "k-only once",
    })) as {
      runId: string;
      status: string;
    };
    expect(again).toMatchObject({ runId: first.ack.runId, status: "ok" });
    expect(anthropic.requests).toHaveLength(1);
    await client.close();
  });

  it("messages arriving during a run are queued and answered in order; chat.abort stops a run", async () => {
    const { env } = setup();
    // The first reply streams one token and then hangs until aborted.
    anthropic.enqueue({ stall: "afterFirstToken" }, { text: "second answer" }, { text: "third answer" });
    const { client } = await start(env);
    let firstToken!: () => void;
    const streaming = new Promise<void>((r) => (firstToken = r));
    client.onEvent((f) => f.event === "chat" && (f.payload as ChatPayload).state === "delta" && firstToken());
    const first = await send(client, "slow one");
    const second = await send(client, "second");
    const third = await send(client, "third");
    await streaming;
    expect(await client.request("chat.abort", { sessionKey: "main", runId: first.ack.runId })).toEqual({
      ok: true,
      aborted: 1,
    });
    expect((await first.done).at(-1)?.state).toBe("aborted");
    expect((await second.done).at(-1)).toMatchObject({
      state: "final",
      message: { content: [{ text: "second answer" }] },
    });
    expect((await third.done).at(-1)).toMatchObject({
      state: "final",
      message: { content: [{ text: "third answer" }] },
    });
    const history = (await client.request("chat.history", { sessionKey: "main" })) as {
      messages: { role: string }[];
    };
    expect(history.messages.filter((m) => m.role === "user")).toHaveLength(3);
    await client.close();
  });

  it("chat commands: /help answers without a model, /new starts a fresh session", async () => {
    const { stateDir, env } = setup();
    anthropic.setDefault({ text: "ok" });
    const { client } = await start(env);
    await (await send(client, "hello")).done;
    const help = await (await send(client, "/help")).done;
    expect(help.at(-1)?.message?.content[0]?.text).toContain("/new or /reset");
    await (await send(client, "/new")).done;
    expect(
      readdirSync(path.join(stateDir, "agents/main/sessions")).some((f) => f.includes(".jsonl.reset.")),
    ).toBe(true);
    expect(anthropic.requests).toHaveLength(1);
    await client.close();
  });

  it("a missing key names the variable to set", async () => {
    const { env } = setup();
    const { client } = await start({ ...env, ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined });
    const { done } = await send(client, "no keys");
    const last = (await done).at(-1);
    expect(last?.state).toBe("error");
    expect(last?.errorMessage).toContain("ANTHROPIC_API_KEY");
    await client.close();
  });

  it("openclaw agent --message streams the answer to the terminal; models list shows the catalogue", async () => {
    const { env } = setup();
    anthropic.enqueue({ text: "streamed to the terminal" });
    await start(env);
    const result = await runCli(["agent", "--message", "from the cli"], env);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("streamed to the terminal\n");
    expect(result.code).toBe(0);
    const models = await runCli(["models", "list"], env);
    expect(models.stdout).toMatch(/^\* anthropic\/claude-sonnet-4-5\s+\d+\s+key ok$/m);
  });

  it("kill -9 while a reply streams: after restart the transcript parses, the interrupted turn is answered and the session continues", async () => {
    const { stateDir, env } = setup();
    anthropic.enqueue({ stall: "afterFirstToken" });
    const { gw, client } = await start(env);
    let firstDelta!: () => void;
    const gotDelta = new Promise<void>((r) => (firstDelta = r));
    client.onEvent((f) => f.event === "chat" && (f.payload as ChatPayload).state === "delta" && firstDelta());
    await client.request("chat.send", {
      sessionKey: "main",
      message: "survive the crash",
      idempotencyKey: "crash-1",
    });
    await gotDelta;
    await gw.stop("SIGKILL");
    const lines = transcriptLines(stateDir);
    expect(lines.at(-1).message).toMatchObject({
      role: "user",
      content: [{ type: "text", text: "survive the crash" }],
    });

    // The interrupted turn is replayed from the journal first, then the new message.
    anthropic.enqueue({ text: "resumed answer" }, { text: "back again" });
    const restarted = await start(env);
    const { done } = await send(restarted.client, "are you there?");
    expect((await done).at(-1)).toMatchObject({
      state: "final",
      message: { content: [{ text: "back again" }] },
    });
    const history = (await restarted.client.request("chat.history", { sessionKey: "main" })) as {
      messages: { role: string; content: string | { text: string }[] }[];
    };
    // A user message of text only is a string, as in OpenClaw's history; a reply has blocks.
    const text = (c: string | { text: string }[]) => (typeof c === "string" ? c : c[0]?.text);
    expect(history.messages.map((m) => text(m.content))).toEqual([
      "survive the crash",
      "resumed answer",
      "are you there?",
      "back again",
    ]);
    await restarted.client.close();
  });
});
