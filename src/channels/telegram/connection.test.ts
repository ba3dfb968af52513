import { afterEach, describe, expect, it } from "vitest";
import { startFakeTelegram } from "../../../test/fakes/telegram/index.js";
import { startTelegramHarness, type TelegramHarness } from "../../../test/helpers/telegram.js";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ALICE = { id: 4242, first_name: "Alice" };
const toAlice = { kind: "direct" as const, id: String(ALICE.id) };

describe("telegram channel: connection", () => {
  it("logs in with getMe, long-polls, and maps what arrives", async () => {
    h = await startTelegramHarness();
    expect(h.channel.status()).toMatchObject({
      state: "ready",
      connected: true,
      botName: "openclaw_test_bot",
    });
    expect(h.logs).toContainEqual({ level: "info", msg: "logged in to telegram as openclaw_test_bot" });
    h.fake.inject({ from: ALICE, text: "hello" });
    expect(await h.inbox.next()).toMatchObject({ text: "hello", peer: toAlice, chatType: "direct" });
  });

  it("hands a photo over with its download URL, which serves the file", async () => {
    h = await startTelegramHarness();
    h.fake.inject({ from: ALICE, text: "look", photo: { fileId: "p1", size: 321 } });
    const [photo] = (await h.inbox.next()).attachments;
    expect(photo).toMatchObject({ contentType: "image/jpeg", size: 321 });
    const res = await fetch(photo!.url);
    expect((await res.arrayBuffer()).byteLength).toBe(321);
  });

  it("a rejected token ends in state error with a sentence saying what to do", async () => {
    const fake = await startFakeTelegram();
    h = await startTelegramHarness({ token: "123:wrong" }, fake);
    expect(h.channel.status()).toMatchObject({ state: "error", connected: false });
    expect(h.channel.status().lastError).toMatch(/BotFather.*TELEGRAM_BOT_TOKEN/);
  });

  it("an unreachable API leaves start() after the first attempt, still connecting", async () => {
    h = await startTelegramHarness({ apiRoot: "http://127.0.0.1:9" });
    expect(h.channel.status()).toMatchObject({ state: "connecting", connected: false });
    expect(h.channel.status().lastError).toMatch(/cannot log in \(getMe\) at http:\/\/127\.0\.0\.1:9/);
  });

  it("reports a failing long poll as connecting, and recovers by itself", async () => {
    h = await startTelegramHarness();
    await h.fake.pollHeld(); // the next getUpdates, not this one, fails
    h.fake.failNext({ method: "getUpdates", status: 502 });
    const failing = h.nextLog(/^long polling failed: Bad Gateway; retrying$/);
    h.fake.inject({ from: ALICE, text: "wake the held poll" });
    await h.inbox.next();
    expect(await failing).toMatchObject({ level: "warn" });
    expect(h.channel.status()).toMatchObject({
      state: "connecting",
      connected: false,
      lastError: "Bad Gateway",
    });
    // grammY waits 3 s after a failed getUpdates, then polls again.
    const recovered = h.nextLog(/^long polling works again$/);
    h.fake.inject({ from: ALICE, text: "after the outage" });
    expect((await h.inbox.next()).text).toBe("after the outage");
    await recovered;
    expect(h.channel.status()).toMatchObject({ state: "ready", connected: true });
  });

  it("stops promptly while a long poll is held open", async () => {
    h = await startTelegramHarness({ pollTimeoutSeconds: 30 });
    await h.fake.pollHeld();
    const started = Date.now();
    await h.channel.stop();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(h.channel.status().state).toBe("stopped");
  });
});

describe("telegram channel: outbound", () => {
  it("replies to every chunk with replyToMode all, in the inbound topic", async () => {
    h = await startTelegramHarness({ replyToMode: "all", textChunkLimit: 100 });
    const text = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const { messageIds } = await h.channel.send({
      target: toAlice,
      text,
      replyToMessageId: "77",
      threadId: "5",
    });
    expect(messageIds.length).toBeGreaterThan(1);
    expect(h.fake.sent.map((m) => [m.replyTo, m.threadId])).toEqual(messageIds.map(() => [77, 5]));
  });

  it("retries a 5xx with backoff and surfaces a 4xx at once", async () => {
    h = await startTelegramHarness();
    h.fake.failNext({ method: "sendMessage", status: 502, times: 2 });
    await h.channel.send({ target: toAlice, text: "third time lucky" });
    expect(h.fake.calls.filter((c) => c.method === "sendMessage").map((c) => c.status)).toEqual([
      502, 502, 200,
    ]);

    h.fake.failNext({
      method: "sendMessage",
      status: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    await expect(h.channel.send({ target: toAlice, text: "blocked" })).rejects.toThrow(
      /send message 1\/1 to chat 4242 failed after 1 attempt\(s\): 403 Forbidden: bot was blocked/,
    );
    expect(h.logs.some((l) => l.level === "error" && l.msg.includes("bot was blocked"))).toBe(true);
  });

  it("gives up after the configured attempts and says so", async () => {
    h = await startTelegramHarness();
    h.fake.failNext({ method: "sendMessage", status: 500, times: 5 });
    await expect(h.channel.send({ target: toAlice, text: "doomed" })).rejects.toThrow(
      /failed after 3 attempt/,
    );
  });

  it("sends files as documents after the text", async () => {
    h = await startTelegramHarness();
    const { messageIds } = await h.channel.send({
      target: toAlice,
      text: "here it is",
      files: [{ name: "notes.txt", data: Buffer.from("hello file") }],
    });
    expect(messageIds).toHaveLength(2);
    const doc = h.fake.calls.find((c) => c.method === "sendDocument")!;
    expect(doc.params.document).toEqual({ name: "notes.txt", size: 10 });
  });

  it("shows typing with sendChatAction in the topic", async () => {
    h = await startTelegramHarness();
    await h.channel.sendTyping({ kind: "group", id: "-100777" }, "9");
    const call = h.fake.calls.find((c) => c.method === "sendChatAction")!;
    expect(call.params).toMatchObject({ chat_id: "-100777", action: "typing", message_thread_id: 9 });
  });
});
