import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeTelegram, type SentMessage, startFakeTelegram } from "../fakes/telegram/index.js";
import { freePort, type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const TOKEN = "telegram-e2e-gateway-token";
const ALICE = { id: 111000111, first_name: "Alice", username: "alice" };
const BOB = { id: 222000222, first_name: "Bob" };
const GROUP = { id: -1001234567890, type: "supergroup" as const, title: "Friends", is_forum: true };

let telegram: FakeTelegram;
let anthropic: FakeServer;
let gw: RunningGateway;
let env: NodeJS.ProcessEnv;

function config(telegramSection: Record<string, unknown>, anthropicUrl: string) {
  return {
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
      list: [{ id: "main", default: true }],
    },
    auth: { profiles: { "anthropic:default": { mode: "token", provider: "anthropic" } } },
    bindings: [{ agentId: "main", match: { channel: "telegram" } }],
    channels: { telegram: { enabled: true, ...telegramSection } },
    models: { providers: { anthropic: { baseUrl: anthropicUrl } } },
    gateway: { mode: "local" },
  };
}

async function startWith(
  fake: FakeTelegram,
  section: Record<string, unknown>,
  args: string[] = ["--port", "0"],
) {
  const stateDir = tempDir();
  const full = config({ apiRoot: fake.apiRoot, ...section }, anthropic.url);
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(full, null, 2));
  const e = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    TELEGRAM_BOT_TOKEN: fake.token,
    ANTHROPIC_API_KEY: "sk-ant-telegram-e2e",
  });
  return { env: e, gw: await startGateway(args, e) };
}

const toChat = (chatId: number) => (m: SentMessage) => m.chatId === String(chatId);

beforeAll(async () => {
  telegram = await startFakeTelegram();
  anthropic = await startFakeAnthropic();
  ({ env, gw } = await startWith(telegram, {
    allowFrom: [`tg:${ALICE.id}`],
    groups: { [String(GROUP.id)]: { requireMention: true } },
    retry: { attempts: 4, minDelayMs: 50, maxDelayMs: 500 },
  }));
  await gw.waitForLine(/^\[telegram\] logged in to telegram as openclaw_test_bot$/);
});

afterAll(async () => {
  await gw?.stop();
  await telegram?.close();
  await anthropic?.close();
});

describe("Telegram over long polling", () => {
  it("answers an allowed DM as a reply, in HTML, with typing shown", async () => {
    anthropic.enqueue({ text: "Hello **Alice**, try `npm test`." });
    const typing = telegram.nextCall("sendChatAction");
    const answer = telegram.nextSent(toChat(ALICE.id));
    const id = telegram.inject({ from: ALICE, text: "hello bot" });
    const sent = await answer;
    expect(sent).toMatchObject({
      text: "Hello <b>Alice</b>, try <code>npm test</code>.",
      parseMode: "HTML",
      replyTo: id,
    });
    expect((await typing).params).toMatchObject({ chat_id: String(ALICE.id), action: "typing" });
  });

  it("a stranger gets a pairing code; after approval the stranger is answered", async () => {
    const codeMessage = telegram.nextSent(toChat(BOB.id));
    telegram.inject({ from: BOB, text: "hi, who are you?" });
    const { text } = await codeMessage;
    const code = /Your pairing code: ([A-Z2-9]{8})/.exec(text)?.[1];
    expect(code).toBeDefined();
    expect(text).toContain(`openclaw pairing approve telegram ${code}`);

    const approve = await runCli(["pairing", "approve", "telegram", code!], env);
    expect(approve.stdout).toBe(`approved telegram sender ${BOB.id}\n`);

    anthropic.enqueue({ text: "Nice to meet you, Bob." });
    const answer = telegram.nextSent(toChat(BOB.id));
    telegram.inject({ from: BOB, text: "hello again" });
    expect((await answer).text).toBe("Nice to meet you, Bob.");
  });

  it("in a group answers only when mentioned, in the same forum topic", async () => {
    const before = anthropic.requests.length;
    telegram.inject({ from: ALICE, chat: GROUP, text: "just chatting, no bot here" });
    anthropic.enqueue({ text: "You called?" });
    const answer = telegram.nextSent(toChat(GROUP.id));
    telegram.inject({
      from: ALICE,
      chat: GROUP,
      text: "@openclaw_test_bot ping",
      mentionBot: true,
      threadId: 42,
    });
    expect(await answer).toMatchObject({ text: "You called?", threadId: 42 });
    // Only the mentioned message reached the model.
    expect(anthropic.requests.length - before).toBe(1);
    expect(JSON.stringify(anthropic.requests.at(-1)!.body.messages)).toContain("ping");
  });

  it("a reply longer than 4096 characters arrives in chunks", async () => {
    const long = Array.from({ length: 95 }, (_, i) => `Sentence number ${i} of a long answer.`).join(" ");
    const text = `${long}\n\n${long}\n\n${long}`;
    expect(text.length).toBeGreaterThan(8192);
    anthropic.enqueue({ text });
    const seen = telegram.sent.length;
    const third = new Promise<void>((resolve) => {
      const watch = (): unknown =>
        telegram
          .nextSent(toChat(ALICE.id))
          .then(() => (telegram.sent.length - seen >= 3 ? resolve() : watch()));
      watch();
    });
    telegram.inject({ from: ALICE, text: "write a long answer" });
    await third;
    const parts = telegram.sent.slice(seen).map((m) => m.text);
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join(" ").match(/Sentence number \d+ of a long answer\./g)).toHaveLength(285);
  });

  it("a 429 with retry_after is waited out and the reply still arrives", async () => {
    telegram.failNext({ method: "sendMessage", status: 429, retryAfter: 1 });
    anthropic.enqueue({ text: "Worth the wait." });
    const answer = telegram.nextSent(toChat(ALICE.id));
    const started = Date.now();
    telegram.inject({ from: ALICE, text: "are you rate limited?" });
    expect((await answer).text).toBe("Worth the wait.");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const statuses = telegram.calls.filter((c) => c.method === "sendMessage").map((c) => c.status);
    expect(statuses.slice(-2)).toEqual([429, 200]);
  });

  it("falls back to plain text when Telegram rejects the markup", async () => {
    // Overlapping bold and italics become mis-nested tags, which Telegram refuses.
    const reply = "__bold *both__ italic* end";
    anthropic.enqueue({ text: reply });
    const answer = telegram.nextSent(toChat(ALICE.id));
    telegram.inject({ from: ALICE, text: "format something" });
    const sent = await answer;
    expect(sent.text).toBe(reply);
    expect(sent.parseMode).toBeUndefined();
    const rejected = telegram.calls.filter((c) => c.method === "sendMessage" && c.status === 400);
    expect(rejected.at(-1)!.params.parse_mode).toBe("HTML");
    await gw.waitForLine(
      /\[telegram\] .*Telegram rejected the HTML \(Bad Request: can't parse entities: .*\)/,
    );
  });

  it("openclaw channels status lists telegram as ready", async () => {
    const result = await runCli(["channels", "status"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^telegram\s+ready\s+openclaw_test_bot$/m);
    const ready = await fetch(`http://127.0.0.1:${gw.port}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, failing: [] });
  });

  it("SIGTERM ends long polling promptly, confirming the update offset", async () => {
    const confirmed = telegram.nextCall("getUpdates", (c) => c.params.limit === 1 && !c.params.timeout);
    const started = Date.now();
    expect((await gw.stop()).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    // Telegram forgets the updates below this offset, so none is handled twice after a restart.
    expect(Number((await confirmed).params.offset)).toBeGreaterThan(1000);
    expect(gw.output().stdout).toContain("[gateway] stopped cleanly");
  });
});

describe("Telegram in webhook mode", () => {
  const SECRET = "webhook-secret_0123456789";

  it("registers the webhook with its secret, serves it on the gateway port, and refuses a wrong secret", async () => {
    const hooked = await startFakeTelegram();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/tg/hook`;
    const setWebhook = hooked.nextCall("setWebhook");
    const started = await startWith(
      hooked,
      { allowFrom: [String(ALICE.id)], webhookUrl: url, webhookSecret: SECRET },
      ["--port", String(port)],
    );
    try {
      expect((await setWebhook).params).toMatchObject({
        url,
        secret_token: SECRET,
        allowed_updates: ["message"],
      });
      await started.gw.waitForLine(/^\[telegram\] webhook set: .*served at \/tg\/hook\)$/);

      // The fake posts updates with the secret, as Telegram does.
      anthropic.enqueue({ text: "Hello over the webhook." });
      const answer = hooked.nextSent(toChat(ALICE.id));
      hooked.inject({ from: ALICE, text: "hello webhook" });
      expect((await answer).text).toBe("Hello over the webhook.");

      const update = hooked.buildUpdate({ from: ALICE, text: "forged" });
      const before = anthropic.requests.length;
      expect(await hooked.postToWebhook(update, "wrong-secret")).toBe(401);
      expect(await hooked.postToWebhook(update, undefined)).toBe(401);
      expect(anthropic.requests.length).toBe(before);
      expect(hooked.calls.filter((c) => c.method === "getUpdates")).toEqual([]);
      const status = await runCli(["channels", "status"], started.env);
      expect(status.stdout).toMatch(/^telegram\s+ready\s+openclaw_test_bot$/m);
    } finally {
      await started.gw.stop();
      await hooked.close();
    }
  });
});
