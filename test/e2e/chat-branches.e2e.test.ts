import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import type { EventFrame } from "../../src/gateway/protocol.js";
import { startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * Branches and forks through the built gateway: after an edit, `sessions.branches.list`
 * lists both versions of the conversation, `sessions.branches.switch` brings the first
 * back (and a restart keeps it), `sessions.fork` copies the conversation before a message
 * into a new session that the model then continues from there.
 */

const w = useFakeModelGateways();

type ChatPayload = { runId: string; state: string };
type HistoryMessage = { id: string; role: string; content: string | { type: string; text?: string }[] };
type Branch = {
  leafEntryId: string;
  headline: string;
  messageCount: number;
  active: boolean;
  divergesAt?: string | null;
  siblingIndex?: number;
};

async function start(stateDir: string) {
  const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test-key" });
  const gw = await startGateway(["--port", "0"], env);
  w.running.push(gw);
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
  w.clients.push(client);
  return { gw, client };
}

/** Sends `message` to `sessionKey` and waits for the run's end. */
async function send(client: GatewayClient, message: string, sessionKey = "main") {
  const ended = new Map<string, ChatPayload>();
  let wake = () => {};
  client.onEvent((frame: EventFrame) => {
    const p = frame.payload as ChatPayload;
    if (frame.event === "chat" && ["final", "aborted", "error"].includes(p.state)) ended.set(p.runId, p);
    wake();
  });
  const { runId } = (await client.request("chat.send", {
    sessionKey,
    message,
    idempotencyKey: `k-${message}-${Math.random()}`,
  })) as { runId: string };
  while (!ended.has(runId)) await new Promise<void>((r) => (wake = r));
  return ended.get(runId)!;
}

const history = async (client: GatewayClient, sessionKey = "main") =>
  ((await client.request("chat.history", { sessionKey })) as { messages: HistoryMessage[] }).messages;
const text = (m: HistoryMessage) =>
  typeof m.content === "string" ? m.content : m.content.map((b) => b.text ?? "").join("");
const branches = async (client: GatewayClient) =>
  ((await client.request("sessions.branches.list", { sessionKey: "main" })) as { branches: Branch[] })
    .branches;

describe("branches and forks through the gateway", () => {
  it("an edit leaves two branches; switching brings the first back, durably; a fork continues in a new session", async () => {
    const stateDir = stateDirWith(baseConfig(w.anthropic.url));
    w.anthropic.enqueue({ text: "answer one" }, { text: "answer two" }, { text: "answer two B" });
    const { gw, client } = await start(stateDir);
    await send(client, "question one");
    await send(client, "question two");
    const first = await history(client);
    expect(await branches(client)).toEqual([
      expect.objectContaining({
        leafEntryId: first[3]!.id,
        headline: "answer two",
        messageCount: 4,
        active: true,
      }),
    ]);

    // Edit "question two": the first version stays, on its own branch.
    await client.request("sessions.rewind", { sessionKey: "main", entryId: first[2]!.id });
    await send(client, "question two, edited");
    const edited = await history(client);
    expect(edited.map(text)).toEqual(["question one", "answer one", "question two, edited", "answer two B"]);
    expect(await branches(client)).toEqual([
      expect.objectContaining({ leafEntryId: edited[3]!.id, active: true }),
      expect.objectContaining({
        leafEntryId: first[3]!.id,
        headline: "answer two",
        active: false,
        divergesAt: edited[2]!.id,
        siblingIndex: 0,
      }),
    ]);

    // Refusals name what to change.
    await expect(
      client.request("sessions.branches.switch", { sessionKey: "main", leafEntryId: edited[3]!.id }),
    ).rejects.toThrow(`branch is already active: ${edited[3]!.id}`);
    await expect(
      client.request("sessions.branches.switch", { sessionKey: "main", leafEntryId: first[0]!.id }),
    ).rejects.toThrow(`entry is not a branch tip: ${first[0]!.id}`);
    await expect(
      client.request("sessions.branches.switch", { sessionKey: "main", leafEntryId: "nope" }),
    ).rejects.toThrow("branch entry not found: nope");

    expect(
      await client.request("sessions.branches.switch", { sessionKey: "main", leafEntryId: first[3]!.id }),
    ).toEqual({});
    expect((await history(client)).map(text)).toEqual([
      "question one",
      "answer one",
      "question two",
      "answer two",
    ]);

    // A restart (even a kill) reads the branch switched to.
    await gw.stop("SIGKILL");
    const { client: after } = await start(stateDir);
    expect((await history(after)).map(text)).toEqual([
      "question one",
      "answer one",
      "question two",
      "answer two",
    ]);
    expect((await branches(after)).map((b) => [b.leafEntryId, b.active])).toEqual([
      [first[3]!.id, true],
      [edited[3]!.id, false],
    ]);

    // Fork before "question two": a new session with what came before, the message back for its composer.
    const fork = (await after.request("sessions.fork", { sessionKey: "main", entryId: first[2]!.id })) as {
      sessionKey: string;
      editorText?: string;
    };
    expect(fork.sessionKey).toMatch(/^agent:main:dashboard:[0-9a-f-]{36}$/);
    expect(fork.editorText).toBe("question two");
    expect((await history(after, fork.sessionKey)).map(text)).toEqual(["question one", "answer one"]);
    const listed = (await after.request("sessions.list", {})) as { sessions: { key: string }[] };
    expect(listed.sessions.map((s) => s.key)).toContain(fork.sessionKey);

    // The model continues the fork from there; the source session is untouched.
    w.anthropic.enqueue({ text: "answer in the fork" });
    await send(after, "question two, in the fork", fork.sessionKey);
    const asked = JSON.stringify(w.anthropic.requests.at(-1)!.body.messages);
    expect(asked).toContain("answer one");
    expect(asked).not.toContain("answer two");
    expect((await history(after, fork.sessionKey)).map(text)).toEqual([
      "question one",
      "answer one",
      "question two, in the fork",
      "answer in the fork",
    ]);
    expect((await history(after)).map(text)).toEqual([
      "question one",
      "answer one",
      "question two",
      "answer two",
    ]);
    await expect(
      after.request("sessions.fork", { sessionKey: "main", entryId: first[1]!.id }),
    ).rejects.toThrow(`entry is not a user message: ${first[1]!.id}`);
  });
});
