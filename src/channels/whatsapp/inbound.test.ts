import { describe, expect, it } from "vitest";
import { toInbound } from "./inbound.js";

const ctx = {
  accountId: "default",
  self: { jid: "15550000001@s.whatsapp.net" },
  selfChat: false,
  sentByUs: () => false,
};

describe("whatsapp: inbound audio", () => {
  it("marks a push-to-talk recording as a voice note, with its length and type", () => {
    const msg = toInbound(
      {
        key: { remoteJid: "15550000002@s.whatsapp.net", id: "M1", fromMe: false },
        message: {
          audioMessage: { mimetype: "audio/ogg; codecs=opus", fileLength: 4200, ptt: true, seconds: 12 },
        },
        messageTimestamp: 1_700_000_000,
      },
      ctx,
    );
    expect(msg?.attachments).toEqual([
      {
        url: "whatsapp:message/M1",
        name: "audio",
        contentType: "audio/ogg",
        size: 4200,
        voice: true,
        durationSeconds: 12,
      },
    ]);
  });

  it("an audio file (not push-to-talk) is audio but not a voice note", () => {
    const msg = toInbound(
      {
        key: { remoteJid: "15550000002@s.whatsapp.net", id: "M2", fromMe: false },
        message: {
          audioMessage: {
            mimetype: "audio/mpeg",
            fileLength: 9000,
            ptt: false,
            seconds: 30,
            fileName: "talk.mp3",
          },
        },
      },
      ctx,
    );
    expect(msg?.attachments[0]).toEqual({
      url: "whatsapp:message/M2",
      name: "talk.mp3",
      contentType: "audio/mpeg",
      size: 9000,
      durationSeconds: 30,
    });
  });
});
