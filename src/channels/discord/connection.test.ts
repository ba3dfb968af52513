import { afterEach, describe, expect, it } from "vitest";
import { Op } from "../../../test/fakes/discord/index.js";
import {
  ALICE,
  BOB,
  GENERAL,
  GUILD,
  type Harness,
  startHarness,
  THREAD,
} from "../../../test/helpers/discord.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("discord channel: connecting", () => {
  it("logs in with the token and logs the exact line", async () => {
    h = await startHarness();
    expect(h.logs).toContainEqual({ level: "info", msg: `logged in to discord as ${h.fake.bot.username}` });
    expect(h.channel.status()).toMatchObject({
      state: "ready",
      connected: true,
      botName: h.fake.bot.username,
      botId: h.fake.bot.id,
      guildCount: 1,
    });
    const identify = h.fake.frames.find((f) => f.op === Op.Identify);
    // guilds | guild messages | direct messages | message content
    expect(identify?.intents).toBe((1 << 0) | (1 << 9) | (1 << 12) | (1 << 15));
    expect(h.fake.requests.length).toBeGreaterThan(0);
    expect(h.fake.requests.every((r) => r.authorized)).toBe(true);
  });

  it("stops at 4014 with one clear sentence and state error, without reconnecting", async () => {
    h = await startHarness({ messageContentIntent: false });
    const errors = h.logs.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/Privileged Gateway Intents, enable "Message Content Intent"/);
    expect(h.channel.status()).toMatchObject({ state: "error", connected: false });
    expect(h.channel.status().lastError).toBe(errors[0]!.msg);
    // The process carries on: REST still works, and no second IDENTIFY was attempted.
    await h.channel.sendTyping({ kind: "channel", id: GENERAL });
    expect(h.fake.frames.filter((f) => f.op === Op.Identify)).toHaveLength(1);
  });

  it("stops at 4004 mid-session with the token sentence", async () => {
    h = await startHarness();
    h.fake.closeWith(4004);
    await expect.poll(() => h!.channel.status().state).toBe("error");
    expect(h.channel.status().lastError).toMatch(/Reset Token.*DISCORD_BOT_TOKEN/);
    expect(h.logs.filter((l) => l.level === "error")).toHaveLength(1);
  });

  it("reports a rejected token (REST 401) the same way", async () => {
    h = await startHarness({}, { token: "not-the-right-token" });
    expect(h.channel.status()).toMatchObject({ state: "error", connected: false });
    expect(h.channel.status().lastError).toMatch(/rejected the bot token/);
    expect(h.fake.requests.every((r) => !r.authorized && r.status === 401)).toBe(true);
  });

  it("keeps trying when Discord is unreachable at start, without blocking start()", async () => {
    h = await startHarness({ failFirst: { path: "/gateway/bot", status: 503 } });
    expect(h.channel.status()).toMatchObject({ state: "connecting", connected: false });
    expect(h.channel.status().lastError).toMatch(/cannot reach Discord/);
    await expect.poll(() => h!.channel.status().state, { timeout: 10_000 }).toBe("ready");
    expect(h.channel.status().lastError).toBeUndefined();
  });

  it("resumes after a dropped connection: missed and later messages arrive, no new IDENTIFY", async () => {
    h = await startHarness();
    const resumed = h.fake.nextFrame(Op.Resume);
    h.fake.dropConnection();
    // Sent while the bot is away: Discord replays it on RESUME.
    h.fake.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: "while you were out",
    });
    const resume = await resumed;
    expect(resume.sessionId).toBeTruthy();
    expect((await h.inbox.next()).text).toBe("while you were out");
    h.fake.sendMessage({ channelId: GENERAL, guildId: GUILD.id, author: ALICE, content: "after" });
    expect((await h.inbox.next()).text).toBe("after");
    expect(h.fake.frames.filter((f) => f.op === Op.Identify)).toHaveLength(1);
    expect(h.channel.status()).toMatchObject({ state: "ready", connected: true });
  });

  it("identifies again after a non-resumable INVALID_SESSION", async () => {
    h = await startHarness();
    const identified = h.fake.nextFrame(Op.Identify);
    h.fake.invalidateSession(false);
    await identified;
    await expect.poll(() => h!.channel.status().state, { timeout: 10_000 }).toBe("ready");
  }, 20_000);
});

describe("discord channel: inbound", () => {
  it("maps a guild channel message with a real @mention", async () => {
    h = await startHarness();
    const id = h.fake.sendMessage({
      channelId: GENERAL,
      guildId: GUILD.id,
      author: ALICE,
      content: `<@${h.fake.bot.id}> hello`,
      mentions: [h.fake.bot.id],
      attachments: [{ filename: "cat.png", size: 1234, content_type: "image/png" }],
    });
    const m = await h.inbox.next();
    expect(m).toMatchObject({
      channel: "discord",
      accountId: "default",
      messageId: id,
      chatType: "channel",
      peer: { kind: "channel", id: GENERAL },
      guildId: GUILD.id,
      sender: { id: ALICE.id, name: "Alice", isBot: false },
      text: `<@${h.fake.bot.id}> hello`,
      mentionsBot: true,
      attachments: [{ name: "cat.png", size: 1234, contentType: "image/png" }],
    });
    expect(m.attachments[0]!.url).toMatch(/^https:\/\/cdn\.discordapp\.com\/attachments\//);
    expect(m.threadId).toBeUndefined();
    expect(Math.abs(m.timestamp - Date.now())).toBeLessThan(60_000);
  });

  it.each([
    ["another user", { mentions: [BOB.id] }, false],
    ["@everyone", { mentionEveryone: true }, false],
    ["the bot's role", { mentionRoles: GUILD.botRoles }, true],
    ["nobody", {}, false],
  ])("mentionsBot for a mention of %s is %s", async (_, mention, expected) => {
    h = await startHarness();
    h.fake.sendMessage({ channelId: GENERAL, guildId: GUILD.id, author: ALICE, content: "hey", ...mention });
    expect((await h.inbox.next()).mentionsBot).toBe(expected);
  });

  it("maps a DM as direct, peer = the sender", async () => {
    h = await startHarness();
    h.fake.sendMessage({ channelId: "1300000000000000001", author: BOB, content: "hi bot" });
    const m = await h.inbox.next();
    expect(m).toMatchObject({ chatType: "direct", peer: { kind: "direct", id: BOB.id }, mentionsBot: false });
    expect(m.guildId).toBeUndefined();
  });

  it("maps a thread message with threadId and the parent channel", async () => {
    h = await startHarness();
    h.fake.sendMessage({
      channelId: THREAD,
      guildId: GUILD.id,
      author: ALICE,
      content: "in thread",
      replyTo: "42",
    });
    expect(await h.inbox.next()).toMatchObject({
      peer: { kind: "channel", id: THREAD },
      parentPeer: { kind: "channel", id: GENERAL },
      threadId: THREAD,
      replyToMessageId: "42",
    });
  });

  it("ignores its own messages", async () => {
    h = await startHarness();
    h.fake.sendMessage({ channelId: GENERAL, guildId: GUILD.id, author: h.fake.bot, content: "mine" });
    h.fake.sendMessage({ channelId: GENERAL, guildId: GUILD.id, author: ALICE, content: "theirs" });
    expect((await h.inbox.next()).text).toBe("theirs");
  });
});
