/**
 * The agents' outbound port (ChannelManager.send) keeps the thread and the message
 * replied to, for the two replies that do not go back through the router: a reply to a
 * message replayed after a crash, and a message the agent sends with the `message` tool.
 * Driven in-process on a fake Telegram (forum topics are threads) and a fake Anthropic.
 */
import { cpSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AgentRuntime, type RuntimeConfig } from "../../src/agents/runtime.js";
import { ChannelManager } from "../../src/channels/manager.js";
import { parseConfigText } from "../../src/config/load.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram/index.js";
import { tempDir } from "../helpers/cli.js";

const ALICE = { id: 111000111, first_name: "Alice", username: "alice" };
const GROUP = { id: -1001234567890, type: "supergroup" as const, title: "Friends", is_forum: true };
const TOPIC = 42;

let telegram: FakeTelegram;
let anthropic: FakeServer;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [telegram, anthropic] = await Promise.all([startFakeTelegram(), startFakeAnthropic()]);
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await Promise.all([telegram.close(), anthropic.close()]);
});

/** Parsed and validated as openclaw.json would be. */
function config(): OpenClawConfig {
  const document = {
    gateway: { mode: "local" },
    env: { vars: { ANTHROPIC_API_KEY: "sk-ant-outbound-port" } },
    models: { providers: { anthropic: { baseUrl: anthropic.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    channels: {
      telegram: {
        enabled: true,
        apiRoot: telegram.apiRoot,
        allowFrom: [`tg:${ALICE.id}`],
        groups: { [String(GROUP.id)]: { requireMention: false } },
      },
    },
  };
  return parseConfigText("openclaw.json", JSON.stringify(document), {});
}

/** A gateway's agents and channels on `stateDir`, wired as runGateway wires them. */
async function start(stateDir: string) {
  const snapshot = config();
  const agents: AgentRuntime = new AgentRuntime({
    stateDir,
    config: () => snapshot as RuntimeConfig,
    outbound: { send: (target, message) => channels.send(target, message) },
  });
  const pending = await agents.openJournal(path.join(stateDir, "agents", "inbox.jsonl"));
  const channels: ChannelManager = new ChannelManager({
    config: () => snapshot,
    runtime: agents,
    stateDir,
    env: { TELEGRAM_BOT_TOKEN: telegram.token },
  });
  await channels.sync();
  stops.push(() => channels.stopAll());
  return { agents, channels, pending };
}

const inTopic = (text: string) => ({ from: ALICE, chat: GROUP, text, threadId: TOPIC });

describe("outbound port: thread and reply-to survive", () => {
  it("a reply to a message replayed after a crash goes to the same forum topic, as a reply", async () => {
    const stateDir = tempDir();
    const first = await start(stateDir);
    // First life: the model hangs; the state is copied as a crash would leave it.
    anthropic.enqueue({ stall: "afterFirstToken" });
    const modelCalled = anthropic.nextRequest();
    const messageId = telegram.inject(inTopic("remember the milk"));
    await modelCalled;
    const crashed = tempDir();
    cpSync(stateDir, crashed, { recursive: true });
    const sessionKey = (await first.agents.store("main")).page({ limit: 1 }).sessions[0]!.key;
    await first.channels.stopAll();
    first.agents.abort(sessionKey);

    // Second life on the crashed state: the journal replays, the reply keeps topic and reply-to.
    const second = await start(crashed);
    expect(second.pending.map((e) => e.text)).toEqual(["remember the milk"]);
    anthropic.enqueue({ text: "Milk: remembered." });
    const sent = telegram.nextSent((m) => m.text === "Milk: remembered.");
    second.agents.replay(second.pending);
    expect(await sent).toMatchObject({ chatId: String(GROUP.id), threadId: TOPIC, replyTo: messageId });
  });

  it("the message tool sends into the turn's forum topic, replying to the message it names", async () => {
    await start(tempDir());
    const fromTool = telegram.nextSent((m) => m.text === "A note from the tool.");
    const answer = telegram.nextSent((m) => m.text === "Sent.");
    // The update reaches the gateway by long poll, after the script below is queued.
    const messageId = telegram.inject(inTopic("post a note here, as a reply"));
    anthropic.enqueue(
      {
        toolCalls: [
          {
            name: "message",
            args: {
              channel: "telegram",
              to: `group:${GROUP.id}`,
              text: "A note from the tool.",
              replyToId: String(messageId),
            },
          },
        ],
      },
      { text: "Sent." },
    );
    expect(await fromTool).toMatchObject({ chatId: String(GROUP.id), threadId: TOPIC, replyTo: messageId });
    await answer;
  });
});
