import { afterEach, describe, expect, it, vi } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../../test/fakes/slack/index.js";
import { Inbox } from "../../../test/helpers/discord.js";
import { onLogRecord } from "../../infra/logger.js";
import type { ChannelAdapter } from "../types.js";
import { createSlackChannel, type SlackChannelOptions } from "./index.js";

const ALICE = { id: "UALICE001", name: "alice" };
const GENERAL = "C0GENERAL";

interface Harness {
  fake: FakeSlack;
  channel: ChannelAdapter;
  inbox: Inbox;
  logs: { level: string; msg: string }[];
  close(): Promise<void>;
}

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = undefined;
});

async function start(options: Partial<SlackChannelOptions> = {}): Promise<Harness> {
  const fake = await startFakeSlack([ALICE]);
  const logs: Harness["logs"] = [];
  const unsubscribe = onLogRecord((r) => {
    if (r.subsystem === "slack") logs.push({ level: r.level, msg: r.msg });
  });
  const inbox = new Inbox();
  const channel = createSlackChannel({
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    onMessage: inbox.push,
    retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 100 },
    reconnectMinMs: 20,
    ...options,
  });
  await channel.start();
  return {
    fake,
    channel,
    inbox,
    logs,
    async close() {
      unsubscribe();
      await channel.stop();
      await fake.close();
    },
  };
}

describe("slack channel: Socket Mode", () => {
  it("connects with both tokens and reports the bot", async () => {
    h = await start();
    expect(h.channel.status()).toMatchObject({ state: "ready", connected: true, botId: "UBOT00001" });
    expect(h.logs).toContainEqual({ level: "info", msg: "connected to slack as lite-bot" });
    const open = h.fake.requests.find((r) => r.method === "apps.connections.open");
    expect(open?.token).toBe(h.fake.appToken);
    expect(h.fake.requests.find((r) => r.method === "auth.test")?.token).toBe(h.fake.botToken);
  });

  it("does its Web API calls over node:http, never through Node's global fetch", async () => {
    // Node's fetch would compile (and soon optimize) its WebAssembly HTTP parser: ~8-13 MB
    // of RSS for a handful of API calls. See infra/node-http-fetch.ts.
    const globalFetch = vi.spyOn(globalThis, "fetch");
    h = await start();
    h.fake.sendEvent(h.fake.message({ channel: GENERAL, user: ALICE.id, text: "hi" }).event);
    const m = await h.inbox.next();
    await h.channel.send({ target: m.peer, text: "hello" });
    const methods = h.fake.requests.map((r) => r.method);
    expect(methods).toEqual(
      expect.arrayContaining(["auth.test", "apps.connections.open", "users.info", "chat.postMessage"]),
    );
    expect(globalFetch).not.toHaveBeenCalled();
  });

  it("gives up with one sentence when Slack rejects the bot token", async () => {
    h = await start({ botToken: "xoxb-wrong" });
    expect(h.channel.status()).toMatchObject({ state: "error", connected: false });
    expect(h.channel.status().lastError).toMatch(/Slack rejected the token.*SLACK_BOT_TOKEN/);
    expect(h.fake.connections).toBe(0);
  });

  it("acks each envelope and maps a channel mention, once for message + app_mention", async () => {
    h = await start();
    const { ts, event } = h.fake.message({
      channel: GENERAL,
      user: ALICE.id,
      text: "<@UBOT00001> hi &amp; bye",
    });
    const id1 = h.fake.sendEvent(event);
    const id2 = h.fake.sendEvent({ ...event, type: "app_mention", channel_type: undefined });
    const m = await h.inbox.next();
    expect(m).toMatchObject({
      channel: "slack",
      messageId: ts,
      chatType: "channel",
      peer: { kind: "channel", id: GENERAL },
      sender: { id: ALICE.id, name: "alice", isBot: false },
      text: "<@UBOT00001> hi & bye",
      mentionsBot: true,
    });
    expect(m.threadId).toBeUndefined();
    await h.fake.until(() => h!.fake.acks.includes(id1) && h!.fake.acks.includes(id2));
    const next = h.fake.message({ channel: "DALICE001", user: ALICE.id, text: "dm" });
    h.fake.sendEvent(next.event);
    // The duplicate app_mention never reached the inbox: the next one is the DM.
    expect(await h.inbox.next()).toMatchObject({
      chatType: "direct",
      peer: { kind: "direct", id: ALICE.id },
    });
  });

  it("ignores its own messages and edits", async () => {
    h = await start();
    h.fake.sendEvent(h.fake.message({ channel: GENERAL, user: "UBOT00001", text: "mine" }).event);
    h.fake.sendEvent({
      ...h.fake.message({ channel: GENERAL, user: ALICE.id, text: "x" }).event,
      subtype: "message_changed",
    });
    h.fake.sendEvent(h.fake.message({ channel: GENERAL, user: ALICE.id, text: "theirs" }).event);
    expect((await h.inbox.next()).text).toBe("theirs");
  });

  it("puts a thread reply on the thread and answers in it", async () => {
    h = await start();
    const root = "1700000000.000100";
    h.fake.sendEvent(
      h.fake.message({ channel: GENERAL, user: ALICE.id, text: "more", thread_ts: root }).event,
    );
    const m = await h.inbox.next();
    expect(m).toMatchObject({ threadId: root, replyToMessageId: root });
    await h.channel.send({
      target: m.peer,
      text: "**sure**, see [docs](https://x.dev)",
      threadId: m.threadId,
    });
    expect(h.fake.messages).toMatchObject([
      { channel: GENERAL, thread_ts: root, text: "*sure*, see <https://x.dev|docs>", unfurl_links: false },
    ]);
  });

  it("with replyToMode all, a top-level message starts its own thread", async () => {
    h = await start({ replyToMode: "all" });
    const { ts, event } = h.fake.message({ channel: GENERAL, user: ALICE.id, text: "<@UBOT00001> q" });
    h.fake.sendEvent(event);
    expect((await h.inbox.next()).threadId).toBe(ts);
  });

  it("answers a DM by opening the conversation when it has not seen one", async () => {
    h = await start();
    await h.channel.send({ target: { kind: "direct", id: ALICE.id }, text: "hello" });
    expect(h.fake.requests.some((r) => r.method === "conversations.open")).toBe(true);
    expect(h.fake.messages).toMatchObject([{ channel: "DALICE001", text: "hello" }]);
  });

  it("chunks long answers to textChunkLimit", async () => {
    h = await start({ textChunkLimit: 100 });
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const { messageIds } = await h.channel.send({ target: { kind: "channel", id: GENERAL }, text });
    expect(messageIds.length).toBeGreaterThan(3);
    expect(h.fake.messages.every((m) => m.text.length <= 100)).toBe(true);
    expect(h.fake.messages.map((m) => m.text).join(" ")).toBe(text);
  });

  it("waits out a 429 for Retry-After seconds, then delivers", async () => {
    h = await start();
    h.fake.failNext({ method: "chat.postMessage", status: 429, retryAfter: 1 });
    const started = Date.now();
    await h.channel.send({ target: { kind: "channel", id: GENERAL }, text: "patience" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const posts = h.fake.requests.filter((r) => r.method === "chat.postMessage").map((r) => r.status);
    expect(posts).toEqual([429, 200]);
    expect(h.logs.some((l) => l.level === "warn" && /rate limit.*1 s \(Retry-After\)/.test(l.msg))).toBe(
      true,
    );
  });

  it("falls back to plain text when Slack refuses the formatted message", async () => {
    h = await start();
    h.fake.failNext({ method: "chat.postMessage", error: "msg_too_long" });
    await h.channel.send({ target: { kind: "channel", id: GENERAL }, text: "**bold** [a](https://a.b)" });
    expect(h.fake.messages).toMatchObject([{ text: "bold a (https://a.b)", mrkdwn: false }]);
  });

  it("fails the send with Slack's error code, without retrying it", async () => {
    h = await start();
    await expect(h.channel.send({ target: { kind: "channel", id: "X1" }, text: "x" })).rejects.toThrow(
      /channel_not_found/,
    );
  });

  it("keeps trying when Socket Mode cannot start, without blocking start()", async () => {
    const fake = await startFakeSlack([ALICE]);
    fake.failNext({ method: "apps.connections.open", status: 503, times: 2 });
    h = await start({ apiUrl: fake.apiUrl });
    await fake.until(() => fake.connections === 1);
    await expect.poll(() => h!.channel.status().state).toBe("ready");
    const opens = fake.requests.filter((r) => r.method === "apps.connections.open").map((r) => r.status);
    expect(opens).toEqual([503, 503, 200]);
    await fake.close();
  });

  it("reconnects after the socket drops and after a refresh request", async () => {
    h = await start();
    h.fake.dropSocket();
    await h.fake.until(() => h!.fake.connections === 2);
    await expect.poll(() => h!.channel.status().state).toBe("ready");
    h.fake.requestRefresh();
    await h.fake.until(() => h!.fake.connections === 3);
    h.fake.sendEvent(h.fake.message({ channel: GENERAL, user: ALICE.id, text: "back" }).event);
    expect((await h.inbox.next()).text).toBe("back");
  });
});
