import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AttachmentTooLargeError } from "../types.js";
import { type SignalEnvelope, senderIdOf, toInbound } from "./inbound.js";

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

  it("gives audio attachments a capped reader of the stored file (for transcription), not others", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "signal-att-"));
    writeFileSync(path.join(dir, "note.aac"), Buffer.alloc(3000, 7));
    const audio = (id: string) =>
      toInbound(
        {
          ...base,
          dataMessage: { message: "", attachments: [{ id, contentType: "audio/aac", size: 3000 }] },
        },
        { ...ctx, attachmentsDir: dir },
      )!.attachments[0]!;
    expect((await audio("note.aac").read!(4096, AbortSignal.timeout(5000))).length).toBe(3000);
    await expect(audio("note.aac").read!(1024, AbortSignal.timeout(5000))).rejects.toBeInstanceOf(
      AttachmentTooLargeError,
    );
    expect(audio("../../etc/passwd").read).toBeUndefined();
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
