import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../test/fakes/anthropic.js";
import type { FakeServer } from "../../test/fakes/server.js";
import { tempDir } from "../../test/helpers/cli.js";
import { UnknownAgentError } from "../routing/known-agents.js";
import { MAX_QUEUED_TURNS_PER_SESSION, QueueFullError } from "./queue.js";
import { AgentRuntime, type RuntimeConfig } from "./runtime.js";

let fake: FakeServer;
beforeEach(async () => {
  fake = await startFakeAnthropic();
  fake.setDefault({ text: "ok" });
  process.env.ANTHROPIC_API_KEY = "sk-runtime-test";
});
afterEach(async () => {
  delete process.env.ANTHROPIC_API_KEY;
  await fake.close();
});

function runtime(session: RuntimeConfig["session"]) {
  const stateDir = tempDir();
  const config: RuntimeConfig = {
    models: { providers: { anthropic: { baseUrl: fake.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    session,
  };
  return { stateDir, rt: new AgentRuntime({ stateDir, config: () => config }) };
}

describe("AgentRuntime session resets", () => {
  it("an idle session starts afresh before its next turn; the old transcript is archived", async () => {
    const { stateDir, rt } = runtime({ reset: { mode: "idle", idleMinutes: 30 } });
    await rt.send({ sessionKey: "main", text: "first" }).done;
    const store = await rt.store("main");
    const before = store.get("agent:main:main")!.sessionId;
    store.update("agent:main:main", { updatedAt: Date.now() - 31 * 60_000 });
    await rt.send({ sessionKey: "main", text: "after a long pause" }).done;
    expect(store.get("agent:main:main")!.sessionId).not.toBe(before);
    const files = readdirSync(path.join(stateDir, "agents/main/sessions"));
    expect(files.some((f) => f.startsWith(`${before}.jsonl.reset.`))).toBe(true);
    // The new session's history holds only the new message.
    expect(JSON.stringify(fake.requests.at(-1)!.body.messages)).not.toContain("first");
  });

  it("a recent session is kept; resetTriggers act like /new", async () => {
    const { rt } = runtime({ reset: { mode: "idle", idleMinutes: 30 }, resetTriggers: ["start over"] });
    await rt.send({ sessionKey: "main", text: "one" }).done;
    const store = await rt.store("main");
    const id = store.get("agent:main:main")!.sessionId;
    await rt.send({ sessionKey: "main", text: "two" }).done;
    expect(store.get("agent:main:main")!.sessionId).toBe(id);
    const reply = await rt.send({ sessionKey: "main", text: "start over" }).done;
    expect(reply.text).toMatch(/^New session started/);
    expect(store.get("agent:main:main")!.sessionId).not.toBe(id);
  });
});

describe("AgentRuntime compaction", () => {
  it("summarises older turns when the conversation nears the context window, and sends the summary instead", async () => {
    const stateDir = tempDir();
    const config: RuntimeConfig = {
      models: { providers: { anthropic: { baseUrl: fake.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, contextTokens: 12_000 } },
    };
    const rt = new AgentRuntime({ stateDir, config: () => config });
    fake.setDefault((request) =>
      JSON.stringify(request.body.system ?? "").includes("You compress chat history")
        ? { text: "The user shared five long notes about their garden." }
        : { text: "noted" },
    );
    const note = (i: number) => `note ${i}: ${"tomatoes and basil grow well together. ".repeat(90)}`;
    for (let i = 0; i < 5; i++) await rt.send({ sessionKey: "main", text: note(i) }).done;
    const summaryCalls = fake.requests.filter((r) =>
      JSON.stringify(r.body.system ?? "").includes("You compress chat history"),
    );
    expect(summaryCalls.length).toBeGreaterThan(0);
    const last = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(last).toContain(
      "[Summary of the earlier conversation]\\nThe user shared five long notes about their garden.",
    );
    expect(last).not.toContain("note 0:");
    expect(last).toContain("note 4:");
    const store = await rt.store("main");
    const lines = await store.transcript(store.get("agent:main:main")!.sessionId).read();
    expect(lines.some((l) => l.type === "compaction")).toBe(true);
    // Nothing was deleted from disk: every note is still in the transcript.
    expect(
      lines.filter(
        (l) => l.type === "message" && (l as { message: { role: string } }).message.role === "user",
      ),
    ).toHaveLength(5);
  });
});

describe("AgentRuntime without a configured model", () => {
  it("uses a default model of the provider that has a key", async () => {
    const rt = new AgentRuntime({
      stateDir: tempDir(),
      config: () => ({ models: { providers: { anthropic: { baseUrl: fake.url } } } }),
    });
    fake.setDefault({ text: "default model here" });
    expect((await rt.send({ sessionKey: "main", text: "hi" }).done).text).toBe("default model here");
    expect(fake.requests.at(-1)!.body.model).toBe("claude-sonnet-4-6");
  });
});

describe("AgentRuntime admission", () => {
  const listConfig = (): RuntimeConfig => ({
    models: { providers: { anthropic: { baseUrl: fake.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } }, list: [{ id: "main" }] },
  });

  it("an unknown agent is refused before anything is journaled or run", async () => {
    const stateDir = tempDir();
    const rt = new AgentRuntime({ stateDir, config: listConfig });
    await rt.openJournal(path.join(stateDir, "agents", "inbox.jsonl"));
    expect(() => rt.send({ sessionKey: "agent:ghost:x", text: "hi" })).toThrow(UnknownAgentError);
    expect(() => rt.store("ghost")).toThrow('unknown agent "ghost" (known: main)');
    expect(readFileSync(path.join(stateDir, "agents", "inbox.jsonl"), "utf8")).toBe("");
    expect(fake.requests).toHaveLength(0);
  });

  it("a journaled message for an agent removed since is not replayed, and is marked done", async () => {
    const stateDir = tempDir();
    const journal = path.join(stateDir, "agents", "inbox.jsonl");
    mkdirSync(path.dirname(journal), { recursive: true });
    const entry = { type: "accepted", id: "r1", sessionKey: "agent:gone:main", text: "hi", at: 1 };
    writeFileSync(journal, `${JSON.stringify(entry)}\n`);
    const rt = new AgentRuntime({ stateDir, config: listConfig });
    rt.replay(await rt.openJournal(journal));
    // Journal lines are written in order: once a later message is on disk, so is r1's `done`.
    await rt.send({ sessionKey: "main", text: "later" }).accepted;
    expect(readFileSync(journal, "utf8")).toContain('{"type":"done","id":"r1"}');
    expect(fake.requests.some((r) => JSON.stringify(r.body).includes('"hi"'))).toBe(false);
  });

  it("past the session cap a turn is refused and not journaled; /stop still gets through", async () => {
    const stateDir = tempDir();
    fake.setDefault({ stall: "beforeFirstToken" });
    const rt = new AgentRuntime({ stateDir, config: listConfig });
    const journal = path.join(stateDir, "agents", "inbox.jsonl");
    await rt.openJournal(journal);
    const runs = Array.from({ length: MAX_QUEUED_TURNS_PER_SESSION }, (_, i) =>
      rt.send({ sessionKey: "main", text: `m${i}` }),
    );
    await Promise.all(runs.map((r) => r.accepted));
    expect(() => rt.send({ sessionKey: "main", text: "one too many" })).toThrow(QueueFullError);
    expect(readFileSync(journal, "utf8")).not.toContain("one too many");
    const stop = rt.send({ sessionKey: "main", text: "/stop" });
    expect((await stop.done).text).toBe("Stopped.");
    await runs[0]!.done;
    expect(rt.queuedTurns("session", "agent:main:main")).toBe(MAX_QUEUED_TURNS_PER_SESSION - 1);
  });
});

describe("AgentRuntime: a chat-app reply before the journal's done", () => {
  const target = { channel: "discord", to: "channel:42", replyToId: "m1" };

  it("marks a chat-app message done only once its reply is out, so a crash in between replays it", async () => {
    const stateDir = tempDir();
    const journal = path.join(stateDir, "agents", "inbox.jsonl");
    fake.setDefault({ text: "the answer" });
    let release!: () => void;
    const sent: { target: unknown; text: string }[] = [];
    const outbound = {
      send: (to: unknown, message: { text: string }) =>
        new Promise<{ messageIds: string[] }>((resolve) => {
          sent.push({ target: to, text: message.text });
          release = () => resolve({ messageIds: ["r1"] });
        }),
    };
    const config = (): RuntimeConfig => ({ models: { providers: { anthropic: { baseUrl: fake.url } } } });
    const rt = new AgentRuntime({ stateDir, config, outbound });
    await rt.openJournal(journal);
    const run = rt.send({ sessionKey: "main", text: "hi", replyTo: target });
    await run.accepted;
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toEqual({ target, text: "the answer" });
    // The reply is on its way, not out: the journal still holds the message as pending.
    expect(readFileSync(journal, "utf8")).not.toContain('"type":"done"');
    const crashed = new AgentRuntime({ stateDir, config, outbound });
    expect((await crashed.openJournal(journal)).map((e) => e.id)).toEqual([run.runId]);

    release();
    await run.done;
    await rt.send({ sessionKey: "main", text: "later" }).accepted;
    expect(readFileSync(journal, "utf8")).toContain(`{"type":"done","id":"${run.runId}"}`);
  });

  it("a failed turn tells the chat why; an aborted one sends nothing", async () => {
    fake.setDefault({ status: 400, message: "bad request from the fake" });
    const sent: string[] = [];
    const rt = new AgentRuntime({
      stateDir: tempDir(),
      config: () => ({ models: { providers: { anthropic: { baseUrl: fake.url } } } }),
      outbound: {
        send: async (_to, m) => {
          sent.push(m.text);
          return { messageIds: [] };
        },
      },
    });
    await rt.send({ sessionKey: "main", text: "hi", replyTo: target }).done;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^⚠️ .*\(the assistant could not finish: see the gateway log\)$/s);
  });
});

describe("AgentRuntime per-turn model and light context (heartbeat model / lightContext)", () => {
  const system = (i: number) => JSON.stringify(fake.requests[i]!.body.system ?? "");

  it("the fake model gets the turn's model and a prompt without the workspace bootstrap files", async () => {
    const { rt } = runtime(undefined);
    await rt.send({ sessionKey: "main", text: "ordinary turn" }).done;
    await rt.send({
      sessionKey: "main",
      text: "heartbeat",
      model: "anthropic/claude-haiku-4-5",
      lightContext: true,
    }).done;
    expect(fake.requests.map((r) => r.body.model)).toEqual(["claude-sonnet-4-5", "claude-haiku-4-5"]);
    expect(system(0)).toContain("## AGENTS.md");
    expect(system(0)).toContain("## SOUL.md");
    expect(system(1)).not.toContain("## AGENTS.md");
    expect(system(1)).not.toContain("## SOUL.md");
    // The next ordinary turn is back on the agent's model and full context: the override was per turn.
    await rt.send({ sessionKey: "main", text: "ordinary again" }).done;
    expect(fake.requests.at(-1)!.body.model).toBe("claude-sonnet-4-5");
    expect(system(2)).toContain("## AGENTS.md");
  });

  it("a failing turn model falls back to the agent's chain, like any turn", async () => {
    const { rt } = runtime(undefined);
    fake.setDefault((request) =>
      request.body.model === "claude-haiku-4-5"
        ? { status: 529, message: "overloaded" }
        : { text: "from primary" },
    );
    const outcome = await rt.send({ sessionKey: "main", text: "hb", model: "anthropic/claude-haiku-4-5" })
      .done;
    expect(outcome).toMatchObject({ status: "ok", text: "from primary" });
    expect(fake.requests[0]!.body.model).toBe("claude-haiku-4-5");
    expect(fake.requests.at(-1)!.body.model).toBe("claude-sonnet-4-5");
  });
});
