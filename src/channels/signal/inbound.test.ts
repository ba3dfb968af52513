import { describe, expect, it } from "vitest";
import { startFakeSignal } from "../../../test/fakes/signal/index.js";
import { AttachmentTooLargeError } from "../types.js";
import { type SignalAttachment, type SignalEnvelope, senderIdOf, toInbound } from "./inbound.js";
import { createSignalRpc } from "./rpc.js";

const ctx = { account: "+15550000001", accountId: "default", attachmentsDir: "/data/signal/attachments" };
const base: SignalEnvelope = {
  source: "+15550000002",
  sourceNumber: "+15550000002",
  sourceUuid: "u-2",
  sourceName: "Alice",
  timestamp: 1000,
};

describe("signal inbound mapping", () => {
  it("maps a DM to a direct message from the sender's number", () => {
    const msg = toInbound({ ...base, dataMessage: { timestamp: 1001, message: "hi" } }, ctx);
    expect(msg).toMatchObject({
      channel: "signal",
      chatType: "direct",
      peer: { kind: "direct", id: "+15550000002" },
      sender: { id: "+15550000002", name: "Alice", isBot: false },
      text: "hi",
      messageId: "1001",
      mentionsBot: false,
    });
  });

  it("maps a group message to the group peer and sees mentions of our number", () => {
    const msg = toInbound(
      {
        ...base,
        dataMessage: {
          timestamp: 5,
          message: "\uFFFC what time is it?",
          mentions: [{ name: "Bot", number: "+15550000001", start: 0, length: 1 }],
          groupInfo: { groupId: "R3JvdXA=", groupName: "Family" },
        },
      },
      ctx,
    );
    expect(msg).toMatchObject({
      chatType: "group",
      peer: { kind: "group", id: "R3JvdXA=" },
      chatName: "Family",
      text: "@Bot what time is it?",
      mentionsBot: true,
    });
  });

  it("a mention of someone else does not mention the bot", () => {
    const msg = toInbound(
      {
        ...base,
        dataMessage: {
          message: "\uFFFC hi",
          mentions: [{ number: "+15550000009", start: 0, length: 1 }],
          groupInfo: { groupId: "g" },
        },
      },
      ctx,
    );
    expect(msg?.mentionsBot).toBe(false);
    expect(msg?.text).toBe("@+15550000009 hi");
  });

  it("describes attachments by their stored file path", () => {
    const msg = toInbound(
      {
        ...base,
        dataMessage: {
          message: "",
          attachments: [{ id: "abc123.jpg", contentType: "image/jpeg", filename: "cat.jpg", size: 2048 }],
        },
      },
      ctx,
    );
    expect(msg?.attachments).toEqual([
      { url: "/data/signal/attachments/abc123.jpg", name: "cat.jpg", contentType: "image/jpeg", size: 2048 },
    ]);
  });

  it("gives audio attachments a capped reader over signal-cli's getAttachment, not others", async () => {
    const daemon = await startFakeSignal({ account: ctx.account });
    const note = Buffer.alloc(3000, 7);
    try {
      daemon.receive({
        from: "+15550000009",
        attachments: [{ id: "note.aac", contentType: "audio/aac", data: note }],
      });
      const rpc = createSignalRpc(daemon.url);
      const first = (attachment: SignalAttachment, more: Partial<SignalEnvelope["dataMessage"]> = {}) =>
        toInbound(
          { ...base, dataMessage: { message: "", attachments: [attachment], ...more } },
          { ...ctx, rpc },
        )!.attachments[0]!;
      const audio = first({ id: "note.aac", contentType: "audio/aac", size: 3000 });
      expect(await audio.read!(4096, AbortSignal.timeout(5000))).toEqual(note);
      expect(daemon.calls.at(-1)).toMatchObject({
        method: "getAttachment",
        params: { account: ctx.account, id: "note.aac", recipient: "+15550000002" },
      });
      // The cap holds on what comes over the wire, whatever size the envelope claimed.
      const understated = first({ id: "note.aac", contentType: "audio/aac", size: 10 });
      await expect(understated.read!(1024, AbortSignal.timeout(5000))).rejects.toBeInstanceOf(
        AttachmentTooLargeError,
      );
      // In a group, the file is asked for by the group; no content type: the extension says audio.
      const inGroup = first({ id: "note.aac", size: 3000 }, { groupInfo: { groupId: "R3JvdXA=" } });
      expect(inGroup.contentType).toBe("audio/aac");
      expect((await inGroup.read!(4096, AbortSignal.timeout(5000))).length).toBe(3000);
      expect(daemon.calls.at(-1)!.params).toMatchObject({ groupId: "R3JvdXA=" });
      await expect(
        first({ id: "gone.aac", contentType: "audio/aac" }).read!(4096, AbortSignal.timeout(5000)),
      ).rejects.toThrow("Could not find attachment with ID: gone.aac");
      expect(first({ id: "cat.jpg", contentType: "image/jpeg" }).read).toBeUndefined();
    } finally {
      await daemon.close();
    }
  });

  it.each<[string, SignalEnvelope]>([
    ["a typing notice", { ...base, typingMessage: {} } as SignalEnvelope],
    ["a receipt", { ...base } as SignalEnvelope],
    ["an empty data message", { ...base, dataMessage: { message: "" } }],
    ["a reaction", { ...base, dataMessage: { message: null, reaction: { emoji: "👍" } } }],
    ["our own message", { ...base, sourceNumber: "+15550000001", dataMessage: { message: "echo" } }],
  ])("drops %s", (_what, envelope) => {
    expect(toInbound(envelope, ctx)).toBeUndefined();
  });

  it("names a sender without a number by uuid", () => {
    expect(senderIdOf({ source: "abc-uuid", sourceUuid: "abc-uuid", sourceNumber: null })).toBe(
      "uuid:abc-uuid",
    );
  });
});
