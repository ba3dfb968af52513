import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import type { EventFrame } from "../../src/gateway/protocol.js";
import { startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith, TEST_MODEL } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";
import { readSessionIndex } from "../helpers/session-index.js";

/**
 * What the chat's per-message actions and the sessions sidebar need from the gateway:
 * `sessions.list` rows that say a run is going, `sessions.rewind` (edit a message or
 * regenerate its answer: append-only, survives a restart), and a model fallback kept in
 * the transcript so `chat.history` shows it after a reload.
 */

const w = useFakeModelGateways();
const FALLBACK = "anthropic/claude-haiku-4-5";

type ChatPayload = { runId: string; state: string; message?: { content: { text: string }[] } };
type HistoryMessage = {
  id: string;
  role: string;
  content: string | { type: string; text?: string }[];
  fallback?: Record<string, unknown>;
};
type Row = { key: string; hasActiveRun?: boolean; activeRunIds?: string[]; status?: string };

async function start(stateDir: string) {
  const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test-key" });
  const gw = await startGateway(["--port", "0"], env);
  w.running.push(gw);
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
  w.clients.push(client);
  return { gw, client };
}

/** Sends `message` to the main session; `done` resolves with the run's last chat event. */
async function send(client: GatewayClient, message: string) {
  let runId: string | undefined;
  const ended: ChatPayload[] = [];
  let resolve!: (e: ChatPayload) => void;
  const done = new Promise<ChatPayload>((r) => (resolve = r));
  const check = () => {
    const e = ended.find((x) => x.runId === runId);
    if (e) resolve(e);
  };
  client.onEvent((frame: EventFrame) => {
    const p = frame.payload as ChatPayload;
    if (frame.event === "chat" && ["final", "aborted", "error"].includes(p.state)) ended.push(p);
    check();
  });
  const ack = (await client.request("chat.send", {
    sessionKey: "main",
    message,
    idempotencyKey: `k-${message}-${Math.random()}`,
  })) as { runId: string };
  runId = ack.runId;
  check();
  return { runId, done };
}

const history = async (client: GatewayClient) =>
  ((await client.request("chat.history", { sessionKey: "main" })) as { messages: HistoryMessage[] }).messages;
const text = (m: HistoryMessage) =>
  typeof m.content === "string" ? m.content : m.content.map((b) => b.text ?? "").join("");
const mainRow = async (client: GatewayClient) =>
  ((await client.request("sessions.list", {})) as { sessions: Row[] }).sessions.find(
    (r) => r.key === "agent:main:main",
  );

function transcriptLines(stateDir: string): { type: string; id: string; targetId?: string | null }[] {
  const dir = path.join(stateDir, "agents/main/sessions");
  const { sessionId } = readSessionIndex(dir)["agent:main:main"]!;
  return readFileSync(path.join(dir, `${sessionId}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("chat actions through the gateway", () => {
  it("sessions.list rows say whether a run is going (hasActiveRun, activeRunIds, status)", async () => {
    const stateDir = stateDirWith(baseConfig(w.anthropic.url));
    w.anthropic.enqueue({ text: "first" }, { stall: "afterFirstToken" });
    const { client } = await start(stateDir);
    await (await send(client, "hello")).done;
    expect(await mainRow(client)).toMatchObject({ hasActiveRun: false, activeRunIds: [] });
    expect((await mainRow(client))?.status).toBeUndefined();

    let delta!: () => void;
    const streaming = new Promise<void>((r) => (delta = r));
    client.onEvent((f) => f.event === "chat" && (f.payload as ChatPayload).state === "delta" && delta());
    const run = await send(client, "hold on");
    await streaming;
    expect(await mainRow(client)).toMatchObject({
      hasActiveRun: true,
      activeRunIds: [run.runId],
      status: "running",
    });
    // chat.history's session row says the same.
    const info = (await client.request("chat.history", { sessionKey: "main" })) as { sessionInfo: Row };
    expect(info.sessionInfo.hasActiveRun).toBe(true);

    await client.request("chat.abort", { sessionKey: "main", runId: run.runId });
    expect((await run.done).state).toBe("aborted");
    expect(await mainRow(client)).toMatchObject({ hasActiveRun: false, activeRunIds: [] });
  });

  it("sessions.rewind drops the last turn from the conversation (not from the file), for regenerate and edit", async () => {
    const stateDir = stateDirWith(baseConfig(w.anthropic.url));
    w.anthropic.enqueue({ text: "answer one" }, { text: "answer two" }, { text: "answer two, again" });
    const { gw, client } = await start(stateDir);
    await (await send(client, "question one")).done;
    await (await send(client, "question two")).done;
    const before = await history(client);
    expect(before.map(text)).toEqual(["question one", "answer one", "question two", "answer two"]);

    // Only a user message on the active branch can be rewound to.
    await expect(
      client.request("sessions.rewind", { sessionKey: "main", entryId: before[3]!.id }),
    ).rejects.toThrow(`entry is not a user message: ${before[3]!.id}`);
    await expect(client.request("sessions.rewind", { sessionKey: "main", entryId: "nope" })).rejects.toThrow(
      "message entry not found: nope",
    );

    const rewound = await client.request("sessions.rewind", { sessionKey: "main", entryId: before[2]!.id });
    expect(rewound).toEqual({ editorText: "question two" });
    expect((await history(client)).map(text)).toEqual(["question one", "answer one"]);
    // The rewound message is off the active path now.
    await expect(
      client.request("sessions.rewind", { sessionKey: "main", entryId: before[2]!.id }),
    ).rejects.toThrow("message entry is not on the active path");

    // Regenerate = send it again: the model sees the conversation without the rewound turn.
    await (await send(client, "question two")).done;
    const asked = w.anthropic.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
    expect(JSON.stringify(asked)).not.toContain("answer two");
    expect(asked).toHaveLength(3);
    expect((await history(client)).map(text)).toEqual([
      "question one",
      "answer one",
      "question two",
      "answer two, again",
    ]);

    // Append-only: every line written is still in the file, the marker after them.
    const lines = transcriptLines(stateDir);
    expect(lines.filter((l) => l.type === "message")).toHaveLength(6);
    expect(lines.find((l) => l.type === "leaf")).toMatchObject({ targetId: before[1]!.id });

    // A restart reads the same branch.
    await gw.stop("SIGKILL");
    const again = await start(stateDir);
    expect((await history(again.client)).map(text)).toEqual([
      "question one",
      "answer one",
      "question two",
      "answer two, again",
    ]);
  });

  it("a fallback from an overloaded primary is kept in the transcript: chat.history returns it on the answer", async () => {
    const stateDir = stateDirWith(
      baseConfig(w.anthropic.url, { agents: { defaults: { model: { fallbacks: [FALLBACK] } } } }),
    );
    w.anthropic.enqueue({ status: 529, message: "Overloaded" }, { text: "from the fallback" });
    const { gw, client } = await start(stateDir);
    expect((await (await send(client, "anyone?")).done).state).toBe("final");
    await gw.stop("SIGKILL");

    const { client: after } = await start(stateDir);
    const [question, answer] = await history(after);
    expect(question?.fallback).toBeUndefined();
    expect(answer?.fallback).toMatchObject({
      phase: "fallback",
      selectedProvider: "anthropic",
      selectedModel: TEST_MODEL.split("/")[1],
      activeProvider: "anthropic",
      activeModel: FALLBACK.split("/")[1],
      reasonSummary: "overloaded",
    });
    // The note is a `custom` line: not a message, so no model ever sees it.
    const notes = transcriptLines(stateDir).filter((l) => l.type === "custom");
    expect(notes).toHaveLength(1);
  });
});
