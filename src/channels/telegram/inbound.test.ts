import type { Message } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createInboundMapper, mentionsBot } from "./inbound.js";

const BOT = { id: 99, is_bot: true as const, first_name: "Claw", username: "claw_bot" };
const ALICE = { id: 7, is_bot: false, first_name: "Alice", last_name: "Liddell" };
const GROUP = { id: -100555, type: "supergroup" as const, title: "Friends" };

const message = (extra: Partial<Message> & Record<string, unknown>): Message =>
  ({
    message_id: 10,
    date: 1_700_000_000,
    chat: { id: ALICE.id, type: "private" },
    from: ALICE,
    ...extra,
  }) as Message;

const mapper = createInboundMapper({
  accountId: "default",
  bot: () => BOT as never,
  fileUrl: async (id) => `https://files.example/bot<token>/${id}`,
});

describe("telegram: inbound messages", () => {
  it("maps a private chat to a DM with the sender", async () => {
    expect(await mapper.toInbound(message({ text: "hi" }))).toEqual({
      channel: "telegram",
      accountId: "default",
      messageId: "10",
      chatType: "direct",
      peer: { kind: "direct", id: "7" },
      sender: { id: "7", name: "Alice Liddell", isBot: false },
      text: "hi",
      mentionsBot: false,
      attachments: [],
      timestamp: 1_700_000_000_000,
    });
  });

  it("maps a supergroup to the group chat, with a forum topic as the thread", async () => {
    const m = await mapper.toInbound(
      message({ chat: GROUP as never, text: "hey", message_thread_id: 3, is_topic_message: true }),
    );
    expect(m).toMatchObject({
      chatType: "group",
      peer: { kind: "group", id: "-100555" },
      chatName: "Friends",
      threadId: "3",
    });
  });

  it("maps a voice note to an audio attachment whose URL holds no bot token (it is downloaded only by read)", async () => {
    const m = await mapper.toInbound(
      message({
        voice: { file_id: "v1", file_unique_id: "uv1", duration: 7, mime_type: "audio/ogg", file_size: 5000 },
      }),
    );
    const [a] = m!.attachments;
    expect(a).toMatchObject({
      url: "telegram:file/v1",
      name: "voice-uv1.ogg",
      contentType: "audio/ogg",
      size: 5000,
      durationSeconds: 7,
      voice: true,
    });
    expect(typeof a!.read).toBe("function");
    const audio = await mapper.toInbound(
      message({
        audio: {
          file_id: "a1",
          file_unique_id: "ua1",
          duration: 200,
          file_name: "talk.mp3",
          mime_type: "audio/mpeg",
        },
      }),
    );
    expect(audio!.attachments[0]).toMatchObject({
      name: "talk.mp3",
      contentType: "audio/mpeg",
      durationSeconds: 200,
    });
    expect(audio!.attachments[0]).not.toHaveProperty("voice");
  });

  it("ignores the bot's own messages, channel posts and empty service messages", async () => {
    expect(await mapper.toInbound(message({ from: BOT, text: "me" }))).toBeUndefined();
    expect(await mapper.toInbound(message({ from: undefined, text: "post" }))).toBeUndefined();
    expect(await mapper.toInbound(message({ new_chat_members: [ALICE] } as never))).toBeUndefined();
  });

  it.each([
    [
      "@claw_bot mention",
      { text: "@claw_bot hi", entities: [{ type: "mention", offset: 0, length: 9 }] },
      true,
    ],
    [
      "mention of someone else",
      { text: "@other hi", entities: [{ type: "mention", offset: 0, length: 6 }] },
      false,
    ],
    [
      "text mention of the bot",
      { text: "Claw hi", entities: [{ type: "text_mention", offset: 0, length: 4, user: BOT }] },
      true,
    ],
    [
      "command addressed to the bot",
      { text: "/ask@claw_bot x", entities: [{ type: "bot_command", offset: 0, length: 13 }] },
      true,
    ],
    ["reply to the bot", { text: "yes", reply_to_message: { message_id: 1, from: BOT } }, true],
    ["reply to someone else", { text: "yes", reply_to_message: { message_id: 1, from: ALICE } }, false],
    ["the name without an entity", { text: "@claw_bot hi" }, false],
    [
      "caption mention",
      { caption: "look @CLAW_BOT", caption_entities: [{ type: "mention", offset: 5, length: 9 }] },
      true,
    ],
  ])("mentionsBot: %s → %s", (_name, extra, expected) => {
    expect(mentionsBot(message(extra as never), BOT)).toBe(expected);
  });

  it("hands photos over by URL and other files by id (Telegram file URLs carry the token)", async () => {
    const m = await mapper.toInbound(
      message({
        caption: "see",
        photo: [
          { file_id: "small", file_unique_id: "s", width: 9, height: 9, file_size: 10 },
          { file_id: "big", file_unique_id: "b", width: 900, height: 900, file_size: 2000 },
        ],
      }),
    );
    expect(m?.attachments).toEqual([
      {
        url: "https://files.example/bot<token>/big",
        name: "photo-b.jpg",
        contentType: "image/jpeg",
        size: 2000,
      },
    ]);
    const doc = await mapper.toInbound(
      message({
        document: {
          file_id: "d1",
          file_unique_id: "u",
          file_name: "a.pdf",
          mime_type: "application/pdf",
          file_size: 5,
        },
      }),
    );
    expect(doc?.attachments).toEqual([
      { url: "telegram:file/d1", name: "a.pdf", contentType: "application/pdf", size: 5 },
    ]);
  });
});
