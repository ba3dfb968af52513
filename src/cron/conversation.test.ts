import { afterEach, beforeEach, expect, it } from "vitest";
import { startFakeAnthropic } from "../../test/fakes/anthropic.js";
import type { FakeServer } from "../../test/fakes/server.js";
import { tempDir } from "../../test/helpers/cli.js";
import { AgentRuntime } from "../agents/runtime.js";
import { createConversationPort } from "./conversation.js";

let fake: FakeServer;
beforeEach(async () => {
  fake = await startFakeAnthropic();
  fake.setDefault({ text: "Your flight is LH123, noted." });
  process.env.ANTHROPIC_API_KEY = "sk-conversation-test";
});
afterEach(async () => {
  delete process.env.ANTHROPIC_API_KEY;
  await fake.close();
});

it("a current job's conversation: its tail, a commit after the running turn, and its chat route", async () => {
  const rt = new AgentRuntime({
    stateDir: tempDir(),
    config: () => ({
      models: { providers: { anthropic: { baseUrl: fake.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    }),
  });
  const port = createConversationPort(rt);
  const key = "agent:main:telegram:direct:5";
  await rt.send({
    sessionKey: key,
    text: "my flight is LH123",
    origin: { lastChannel: "telegram", lastTo: "direct:5" },
  }).done;
  expect(await port.tail(key, 20)).toEqual([
    "user: my flight is LH123",
    "assistant: Your flight is LH123, noted.",
  ]);
  expect(await port.tail(key, 1)).toEqual(["assistant: Your flight is LH123, noted."]);
  expect(await port.route(key)).toEqual({ channel: "telegram", to: "direct:5" });
  // Committed while a turn runs there: it lands after that turn, never inside it.
  const running = rt.send({ sessionKey: key, text: "and my hotel?" });
  await port.commit(key, "Reminder: check in opens now.");
  await running.done;
  const store = await rt.store("main");
  const messages = await store.transcript(store.get(key)!.sessionId).messages();
  expect(messages.map((m) => m.message?.role)).toEqual([
    "user",
    "assistant",
    "user",
    "assistant",
    "assistant",
  ]);
  expect(messages.at(-1)!.message!.content).toEqual([
    { type: "text", text: "Reminder: check in opens now." },
  ]);
  expect(await port.tail("agent:main:nobody", 5)).toEqual([]);
  expect(await port.route("agent:main:nobody")).toBeUndefined();
});
